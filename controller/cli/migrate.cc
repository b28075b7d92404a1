#include "controller/cli/migrate.h"

#include <algorithm>
#include <set>

#include "controller/cli/route_probe.h"
#include "controller/compile/reason.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::controller::cli {
namespace {

using Json = nlohmann::json;

OrderedJson ordered(const Json& j) { return OrderedJson::parse(j.dump()); }

std::string str_at(const Json& j, const char* a, const char* b) {
  const auto outer = j.find(a);
  if (outer == j.end() || !outer->is_object()) return "";
  const auto inner = outer->find(b);
  return inner != outer->end() && inner->is_string() ? inner->get<std::string>() : "";
}

std::string class_of(const Json& ingress) {
  std::string name = str_at(ingress, "spec", "ingressClassName");
  if (name.empty()) {
    const Json annotations =
        ingress.value("metadata", Json::object()).value("annotations", Json::object());
    if (annotations.is_object()) name = annotations.value("kubernetes.io/ingress.class", "");
  }
  return name.empty() ? "archway" : name;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const config::Cluster* find_cluster(const config::Snapshot& snapshot, const std::string& name) {
  for (const auto& c : snapshot.clusters) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

OrderedJson value_matches(const std::vector<config::ValueMatch>& list) {
  OrderedJson out = OrderedJson::array();
  for (const auto& v : list) {
    OrderedJson item = {{"name", v.name}, {"type", value_type_name(v.type)}};
    if (v.type != config::ValueMatchType::kPresent) item["value"] = v.value;
    out.push_back(item);
  }
  return out;
}

OrderedJson header_ops(const config::HeaderOps& ops) {
  OrderedJson out = OrderedJson::object();
  auto values = [](const std::vector<config::HeaderValue>& list) {
    OrderedJson a = OrderedJson::array();
    for (const auto& h : list) a.push_back({{"name", h.name}, {"value", h.value}});
    return a;
  };
  if (!ops.set.empty()) out["set"] = values(ops.set);
  if (!ops.add.empty()) out["add"] = values(ops.add);
  if (!ops.remove.empty()) out["remove"] = ops.remove;
  return out;
}

// The JSON the snapshot serialiser writes for `route`, to name the fields
// left over after rendering (so a field added later is reported, not lost).
Json route_snapshot_json(const config::Route& route) {
  config::Snapshot snapshot;
  snapshot.version = "migrate";
  snapshot.virtual_hosts.push_back(config::VirtualHost{"x", {"x"}, std::nullopt, {route}});
  const Json doc = Json::parse(config::to_json(snapshot));
  return doc.at("virtualHosts").at(0).at("routes").at(0);
}

// The non-default members of what rendering did not consume.
std::vector<std::string> leftover_fields(config::Route rest) {
  rest.name = rest.route_name = rest.rule_name = "";
  const Json got = route_snapshot_json(rest);
  const Json none = route_snapshot_json(config::Route{});
  std::vector<std::string> out;
  for (const auto& [key, value] : got.items()) {
    const auto other = none.find(key);
    if (other == none.end() || *other != value) {
      if (value.is_object() && other != none.end() && other->is_object()) {
        for (const auto& [inner, inner_value] : value.items()) {
          const auto o = other->find(inner);
          if (o == other->end() || *o != inner_value) {
            out.push_back(key + "." + inner + " = " + inner_value.dump());
          }
        }
      } else {
        out.push_back(key + " = " + value.dump());
      }
    }
  }
  return out;
}

}  // namespace

OrderedJson render_rule(const config::Route& route, const config::Snapshot& snapshot,
                        std::vector<std::string>& notes) {
  const std::string at = "rule " + route.rule_name + ": ";
  config::Route rest = route;
  OrderedJson rule = {{"name", route.rule_name}};

  OrderedJson matches = OrderedJson::array();
  for (const auto& m : route.matches) {
    OrderedJson match = {
        {"path", {{"type", path_type_name(m.path.type)}, {"value", m.path.value}}}};
    if (!m.methods.empty()) match["methods"] = m.methods;
    if (!m.headers.empty()) match["headers"] = value_matches(m.headers);
    if (!m.query_params.empty()) match["queryParams"] = value_matches(m.query_params);
    if (m.version) match["version"] = *m.version;
    matches.push_back(match);
  }
  rule["matches"] = matches;
  rest.matches.clear();

  if (!route.backends.empty()) {
    OrderedJson backends = OrderedJson::array();
    std::optional<config::Duration> connect;
    for (const auto& b : route.backends) {
      const auto parts = split(b.cluster, '/');  // namespace/service/port[/...]
      OrderedJson backend = {{"name", parts.size() > 1 ? parts[1] : b.cluster}};
      const std::string port = parts.size() > 2 ? parts[2] : "";
      if (all_digits(port)) {
        backend["port"] = std::stoi(port);
      } else {
        backend["port"] = port;
        notes.push_back(at + "backend " + backend["name"].get<std::string>() +
                        " names its port \"" + port +
                        "\": an APIRoute needs the Service port number; fix it before applying");
      }
      if (route.backends.size() > 1 || b.weight != 1) backend["weight"] = b.weight;
      if (const config::Cluster* cluster = find_cluster(snapshot, b.cluster)) {
        if (cluster->protocol == config::ClusterProtocol::kH2c) backend["protocol"] = "H2C";
        if (cluster->protocol == config::ClusterProtocol::kHttps) backend["protocol"] = "HTTPS";
        if (cluster->load_balancer && !rule.contains("loadBalancer")) {
          rule["loadBalancer"] = ordered(config::to_json(*cluster->load_balancer));
        }
        if (cluster->health_check && !rule.contains("healthCheck")) {
          rule["healthCheck"] = ordered(config::to_json(*cluster->health_check));
        }
        if (cluster->connect_timeout != config::Cluster{}.connect_timeout) {
          connect =
              connect ? std::min(*connect, cluster->connect_timeout) : cluster->connect_timeout;
        }
      }
      backends.push_back(backend);
    }
    rule["backends"] = backends;
    if (connect) rule["timeouts"]["connect"] = config::format_duration(*connect);
    rest.backends.clear();
  }
  if (route.redirect) {
    const auto& r = *route.redirect;
    OrderedJson redirect = OrderedJson::object();
    if (r.scheme) redirect["scheme"] = *r.scheme;
    if (r.hostname) redirect["hostname"] = *r.hostname;
    if (r.port) redirect["port"] = *r.port;
    if (r.path) redirect["path"] = *r.path;
    redirect["statusCode"] = r.status_code;
    rule["redirect"] = redirect;
    rest.redirect.reset();
  }
  if (route.direct_response) {
    const auto& d = *route.direct_response;
    rule["directResponse"] = {{"status", d.status}, {"body", d.body}};
    if (d.content_type != config::DirectResponse{}.content_type) {
      notes.push_back(at + "directResponse content type \"" + d.content_type +
                      "\" has no APIRoute field; the APIRoute answers text/plain");
    }
    rest.direct_response.reset();
  }
  const auto& rw = route.rewrite;
  if (rw.path_prefix || rw.full_path || rw.hostname) {
    OrderedJson rewrite = OrderedJson::object();
    if (rw.path_prefix) rewrite["pathPrefix"] = *rw.path_prefix;
    if (rw.full_path) rewrite["fullPath"] = *rw.full_path;
    if (rw.hostname) rewrite["hostname"] = *rw.hostname;
    rule["rewrite"] = rewrite;
    rest.rewrite = {};
  }
  if (const auto ops = header_ops(route.request_headers); !ops.empty()) {
    rule["requestHeaders"] = ops;
    rest.request_headers = {};
  }
  if (const auto ops = header_ops(route.response_headers); !ops.empty()) {
    rule["responseHeaders"] = ops;
    rest.response_headers = {};
  }
  const auto& t = route.timeouts;
  if (t.request) rule["timeouts"]["request"] = config::format_duration(*t.request);
  if (t.backend_request) {
    rule["timeouts"]["backendRequest"] = config::format_duration(*t.backend_request);
  }
  if (t.idle) rule["timeouts"]["idle"] = config::format_duration(*t.idle);
  rest.timeouts = {};

  // The APIRoute fields the controller decodes with the proxy's own
  // decoders (api_route_rule.cc typed_policy): their canonical JSON is the
  // APIRoute field as written.
  auto& p = rest.policies;
  auto policy = [&](const char* field, auto& member) {
    if (!member) return;
    rule[field] = ordered(config::to_json(*member));
    member.reset();
  };
  policy("cors", p.cors);
  policy("retries", p.retries);
  policy("circuitBreaker", p.circuit_breaker);
  policy("rateLimit", p.rate_limit);
  policy("cache", p.cache);
  policy("requestBody", p.request_body);
  policy("responseBody", p.response_body);
  rest.single_label_wildcard = false;  // said once per APIRoute, on its hostnames
  for (const auto& field : leftover_fields(rest)) {
    notes.push_back(at + "not rendered (no APIRoute rendering for this field yet): " + field);
  }
  return rule;
}

namespace {

std::string group_suffix(const std::string& domain) {
  if (domain == "*") return "any-host";
  std::string out;
  for (const char c : domain)
    out += c == '*' ? std::string("wildcard") : std::string(1, c == '.' ? '-' : c);
  return out;
}

// spec.tls of the Ingress: the secret serving `host` (entries without hosts
// serve every host).
std::string tls_secret_for(const Json& ingress, const std::string& host) {
  const Json spec = ingress.value("spec", Json::object());
  const Json tls = spec.is_object() ? spec.value("tls", Json::array()) : Json::array();
  if (!tls.is_array()) return "";
  for (const auto& entry : tls) {
    if (!entry.is_object()) continue;
    const std::string secret = entry.value("secretName", "");
    if (secret.empty()) continue;
    const Json hosts = entry.value("hosts", Json::array());
    if (!hosts.is_array() || hosts.empty()) return secret;
    for (const auto& h : hosts) {
      if (h.is_string() && h.get<std::string>() == host) return secret;
    }
  }
  return "";
}

void migrate_one(const Json& input, const MigrateOptions& options, MigrateResult& result) {
  Json ingress = input;
  const Json meta = ingress.value("metadata", Json::object());
  const std::string given_ns = meta.value("namespace", "");
  const std::string ns = given_ns.empty() ? "default" : given_ns;
  const std::string name = meta.value("name", "");
  const std::string who = "Ingress " + (given_ns.empty() ? name : given_ns + "/" + name);
  ingress["metadata"]["namespace"] = ns;
  if (!ingress["metadata"].contains("generation")) ingress["metadata"]["generation"] = 1;

  ClusterState state;
  state.ingresses[ObjectKey{ns, name}] = ingress;
  const auto compiled = compile::compile(state, migrate_compile_options(ingress), {});
  const compile::ObjectVerdict* verdict = nullptr;
  for (const auto& v : compiled.verdicts) {
    if (v.kind == "Ingress" && v.key.name == name) verdict = &v;
  }
  if (verdict == nullptr || !verdict->accepted) {
    result.ok = false;
    result.warnings.push_back(who + ": not migrated: " +
                              (verdict
                                   ? std::string(compile::reason_name(verdict->accepted_reason)) +
                                         ": " + verdict->accepted_message
                                   : std::string("the controller's compile ignored it")));
    return;
  }
  std::vector<std::string> common_notes;
  if (!verdict->accepted_message.empty()) {
    common_notes.push_back("the controller would report: " + verdict->accepted_message);
  }
  std::vector<std::string> annotations;
  const Json ann = meta.value("annotations", Json::object());
  if (ann.is_object()) {
    for (const auto& [key, value] : ann.items()) {
      if (key.starts_with("nginx.ingress.kubernetes.io/")) annotations.push_back(key);
    }
  }
  if (!annotations.empty()) {
    std::string list;
    for (const auto& a : annotations) list += (list.empty() ? "" : ", ") + a;
    common_notes.push_back(
        "ingress-nginx annotations on the Ingress: " + list +
        ". Only what the controller's Ingress compile turns into rule fields is rendered below "
        "(docs/kubectl-archway.md); compare before deleting the Ingress");
  }

  for (const auto& note : common_notes) result.warnings.push_back(who + ": " + note);
  const std::string route_name = ns + "/" + name;
  std::vector<const config::VirtualHost*> groups;
  for (const auto& vhost : compiled.snapshot.virtual_hosts) {
    if (std::any_of(vhost.routes.begin(), vhost.routes.end(),
                    [&](const config::Route& r) { return r.route_name == route_name; })) {
      groups.push_back(&vhost);
    }
  }
  for (const auto* vhost : groups) {
    MigratedDocument doc;
    doc.notes = common_notes;
    const bool any_host =
        std::find(vhost->domains.begin(), vhost->domains.end(), "*") != vhost->domains.end();
    std::string api_name = name;
    if (groups.size() > 1) api_name += "-" + group_suffix(vhost->domains.front());
    OrderedJson metadata = {{"name", api_name}};
    if (!given_ns.empty()) metadata["namespace"] = given_ns;
    OrderedJson spec = OrderedJson::object();
    if (!options.api_route_class.empty()) spec["ingressClassName"] = options.api_route_class;
    if (!any_host) spec["hostnames"] = vhost->domains;
    std::set<std::string> secrets;
    for (const auto& domain : vhost->domains) {
      if (auto secret = tls_secret_for(ingress, domain); !secret.empty()) secrets.insert(secret);
    }
    if (!secrets.empty() && any_host) {
      doc.notes.push_back(
          "spec.tls without hosts has no APIRoute form (an APIRoute's tls needs "
          "hostnames): not rendered");
    } else if (!secrets.empty()) {
      spec["tls"] = {{"secretName", *secrets.begin()}};
      if (secrets.size() > 1) {
        doc.notes.push_back("these hosts use several TLS Secrets; an APIRoute has one: split it");
      }
    }
    OrderedJson rules = OrderedJson::array();
    bool single_label = false;
    for (const auto& route : vhost->routes) {
      if (route.route_name != route_name) continue;
      single_label = single_label || route.single_label_wildcard;
      rules.push_back(render_rule(route, compiled.snapshot, doc.notes));
    }
    if (single_label) {
      doc.notes.push_back(
          "an Ingress wildcard host matches exactly one label; an APIRoute "
          "wildcard matches one or more (a.b.example.com too)");
    }
    spec["rules"] = rules;
    doc.api_route = {{"apiVersion", "archway.dev/v1alpha1"},
                     {"kind", "APIRoute"},
                     {"metadata", metadata},
                     {"spec", spec}};
    for (size_t i = common_notes.size(); i < doc.notes.size(); ++i) {
      result.warnings.push_back(who + " → APIRoute " + api_name + ": " + doc.notes[i]);
    }
    result.documents.push_back(std::move(doc));
  }
}

}  // namespace

compile::CompileOptions migrate_compile_options(const nlohmann::json& ingress) {
  compile::CompileOptions options;
  options.version = "migrate";
  options.ingress_class = class_of(ingress);
  options.watch_ingresses_without_class = true;
  return options;
}

MigrateResult migrate(const std::vector<nlohmann::json>& documents, const MigrateOptions& options) {
  MigrateResult result;
  for (const auto& doc : documents) {
    if (!doc.is_object() || doc.value("kind", "") != "Ingress") {
      result.warnings.push_back("skipped a document that is not an Ingress (kind " +
                                (doc.is_object() ? doc.value("kind", "?") : std::string("?")) +
                                ")");
      continue;
    }
    migrate_one(doc, options, result);
  }
  return result;
}

std::string migrate_yaml(const MigrateResult& result) {
  std::string out;
  for (const auto& doc : result.documents) {
    out += "---\n";
    for (auto note : doc.notes) {
      std::replace(note.begin(), note.end(), '\n', ' ');
      out += "# NOTE: " + note + "\n";
    }
    out += to_yaml(doc.api_route);
  }
  return out;
}

OrderedJson migrate_list(const MigrateResult& result) {
  OrderedJson items = OrderedJson::array();
  for (const auto& doc : result.documents) items.push_back(doc.api_route);
  return {{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
}

}  // namespace archway::controller::cli

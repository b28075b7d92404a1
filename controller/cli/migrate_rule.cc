// One compiled config::Route → one APIRoute rule (migrate.h render_rule).

#include <algorithm>

#include "controller/cli/migrate.h"
#include "controller/cli/route_probe.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::controller::cli {
namespace {

using Json = nlohmann::json;

OrderedJson ordered(const Json& j) { return OrderedJson::parse(j.dump()); }

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

}  // namespace archway::controller::cli

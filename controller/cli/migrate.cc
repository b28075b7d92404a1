#include "controller/cli/migrate.h"

#include <algorithm>
#include <set>

#include "controller/compile/reason.h"

namespace archway::controller::cli {
namespace {

using Json = nlohmann::json;

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
        ". They were imported as the controller's --nginx-annotations does (docs/migration.md); "
        "only what that import turns into rule fields is rendered below; compare before deleting "
        "the Ingress");
  }
  // What the import did not honour (snippets, unknown or unsupported ones).
  for (const auto& [reason, message] : verdict->warnings) {
    common_notes.push_back(std::string(compile::reason_name(reason)) + ": " + message);
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
  // migrate is for Ingresses written for ingress-nginx: their annotations
  // are imported, strictly, as the controller would with the import on.
  options.nginx_annotations = true;
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

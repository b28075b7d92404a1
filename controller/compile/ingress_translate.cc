#include <optional>
#include <set>
#include <utility>

#include "controller/compile/backend_resolver.h"
#include "controller/compile/json_access.h"
#include "controller/compile/nginx_annotations/nginx_import.h"
#include "controller/compile/nginx_annotations/route_apply.h"
#include "controller/compile/object_translate.h"
#include "controller/compile/tls_secret.h"
#include "proxy/config/field_checks.h"

namespace archway::controller::compile {
namespace {

// Parsing state for one Ingress: the first rejection wins. Every step that
// returns false has set `rejection` through reject().
struct IngressParser {
  const ClusterState& state;
  TranslatedObject& obj;
  // ingress-nginx annotations, when the import is on (docs/migration.md).
  const std::optional<nginx::Settings>& nginx_settings;
  std::optional<Problem> rejection;

  bool reject(Reason reason, std::string message) {
    if (!rejection) rejection = Problem{reason, std::move(message)};
    return false;
  }

  // networking.k8s.io/v1 IngressBackend → a cluster name.
  bool backend(const Json& j, const std::string& at, std::string& cluster_name) {
    if (member(j, "resource") != nullptr) {
      return reject(Reason::kUnsupportedValue,
                    at + ".resource: resource backends are not supported");
    }
    const Json& service = object(j, "service");
    const Json& port = object(service, "port");
    BackendRef ref{
        obj.key.ns,
        str(service, "name"),
        integer(port, "number"),
        str(port, "name"),
        nginx_settings ? nginx::protocol(*nginx_settings) : config::ClusterProtocol::kHttp1,
        {}};
    if (ref.service.empty() || (!ref.port_number && ref.port_name.empty())) {
      return reject(Reason::kInvalidValue, at + ".service: name and port are required");
    }
    ResolvedBackend resolved = resolve_backend(state, ref);
    if (resolved.problem) {
      resolved.problem->message = at + ": " + resolved.problem->message;
      obj.unresolved.push_back(*resolved.problem);
    }
    if (nginx_settings) {
      nginx::apply_to_cluster(*nginx_settings, resolved.cluster);
      if (nginx_settings->connect_timeout) {
        lower_connect_timeout(obj.connect_timeouts, resolved.cluster.name,
                              *nginx_settings->connect_timeout);
      }
    }
    cluster_name = resolved.cluster.name;
    if (resolved.endpoints_from) {
      obj.endpoint_sources.emplace(resolved.cluster.name, *resolved.endpoints_from);
    }
    obj.clusters.emplace(resolved.cluster.name, std::move(resolved.cluster));
    return true;
  }

  config::Route make_route(const std::string& rule_name, const std::string& cluster,
                           config::PathMatch path) {
    const std::string route_name = obj.key.ns + "/" + obj.key.name;
    config::Route route;
    route.name = route_name + "/" + rule_name;
    route.route_name = route_name;
    route.rule_name = rule_name;
    route.matches.push_back(config::Match{std::move(path), {}, {}, {}, {}});
    route.backends.push_back({cluster, 1});
    return route;
  }

  bool path(const Json& j, const std::string& at, config::PathMatch& match) {
    const std::string type = str(j, "pathType", "Prefix");
    match.value = str(j, "path", "/");
    if (match.value.empty() || match.value[0] != '/') {
      return reject(Reason::kInvalidValue,
                    at + ".path: \"" + match.value + "\" must start with '/'");
    }
    if (nginx_settings) {
      auto regex = nginx::regex_path(*nginx_settings, match.value, type, at, match);
      if (!regex.ok()) return reject(regex.error().reason, regex.error().message);
      if (*regex) return true;
    }
    if (type == "Exact") {
      match.type = config::PathMatchType::kExact;
    } else if (type == "Prefix" || type == "ImplementationSpecific") {
      // ImplementationSpecific is Prefix here (documented in docs/controller.md).
      match.type = config::PathMatchType::kPathPrefix;
      while (match.value.size() > 1 && match.value.back() == '/') match.value.pop_back();
    } else {
      return reject(Reason::kUnsupportedValue,
                    at + ".pathType: unsupported value \"" + type + "\"");
    }
    return true;
  }
};

// The Ingress's ingress-nginx annotations: read when the import is on
// (a bad value rejects the Ingress), else named in one Warning Event so that
// nothing is ignored silently. nullopt when the import is off.
Result<std::optional<nginx::Settings>, Problem> read_nginx_annotations(const Json& ingress,
                                                                       bool nginx_import,
                                                                       TranslatedObject& obj) {
  const Json& annotations = object(object(ingress, "metadata"), "annotations");
  const std::vector<std::string> names = nginx::annotation_names(annotations);
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
    return out;
  };
  if (!nginx_import) {
    if (!names.empty()) {
      obj.warnings.push_back(
          {Reason::kNginxAnnotationsIgnored,
           "ingress-nginx annotations are ignored: the import is off (the controller's "
           "--nginx-annotations flag or the IngressClass annotation archway.dev/nginx-annotations "
           "turns it on, docs/migration.md): " +
               list(names)});
    }
    return std::optional<nginx::Settings>();
  }
  auto settings = nginx::read_annotations(annotations);
  if (!settings.ok()) return settings.error();
  if (!settings->snippets.empty()) {
    obj.warnings.push_back({Reason::kSnippetNotHonoured,
                            "snippet annotations are never honoured (Archway does not take "
                            "configuration text): " +
                                list(settings->snippets)});
  }
  if (!settings->not_honoured.empty()) {
    obj.warnings.push_back({Reason::kAnnotationNotHonoured,
                            "ingress-nginx annotations Archway does not implement, ignored "
                            "(docs/migration.md): " +
                                list(settings->not_honoured)});
  }
  if (!settings->unknown.empty()) {
    obj.warnings.push_back(
        {Reason::kUnknownAnnotation,
         "unknown ingress-nginx annotations, ignored: " + list(settings->unknown)});
  }
  obj.canary = settings->canary;
  return std::optional<nginx::Settings>(std::move(*settings));
}

}  // namespace

Result<TranslatedObject, Problem> translate_ingress(const Json& ingress, const ClusterState& state,
                                                    bool nginx_import) {
  TranslatedObject obj;
  fill_identity(ingress, "Ingress", obj);
  const Json& spec = object(ingress, "spec");
  auto settings = read_nginx_annotations(ingress, nginx_import, obj);
  if (!settings.ok()) return settings.error();
  IngressParser p{state, obj, *settings, {}};
  std::set<std::string> tls_listed;  // ssl-redirect's default is on for these
  for (const Json& entry : array(spec, "tls")) {
    for (const Json& h : array(entry, "hosts")) {
      if (h.is_string()) tls_listed.insert(lower(h.get<std::string>()));
    }
  }

  std::set<std::string> hosts;
  const Json& rules = array(spec, "rules");
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string at = "spec.rules[" + std::to_string(i) + "]";
    std::string host = lower(str(rules[i], "host"));
    if (host.empty()) host = "*";
    // The proxy's own rule for a virtual host domain (config::check_domain).
    if (auto err = config::check_domain(host)) {
      p.reject(Reason::kInvalidValue, at + ".host: " + *err);
      return *std::move(p.rejection);
    }
    hosts.insert(host);
    const Json& paths = array(object(rules[i], "http"), "paths");
    for (size_t j = 0; j < paths.size(); ++j) {
      const std::string path_at = at + ".http.paths[" + std::to_string(j) + "]";
      config::PathMatch match;
      std::string cluster;
      if (!p.path(paths[j], path_at, match) ||
          !p.backend(object(paths[j], "backend"), path_at + ".backend", cluster)) {
        return *std::move(p.rejection);
      }
      const std::string rule_name = "rule-" + std::to_string(i) + "-path-" + std::to_string(j);
      config::Route route = p.make_route(rule_name, cluster, std::move(match));
      route.single_label_wildcard = host.starts_with("*.");  // Ingress: "*" is one label
      if (*settings) {
        auto applied =
            nginx::apply_to_route(**settings, tls_listed.count(host) > 0, path_at, route);
        if (!applied.ok()) return applied.error();
      }
      obj.routes.push_back(HostRoute{host, std::move(route), false});
    }
  }

  if (const Json* fallback = member(spec, "defaultBackend")) {
    std::string cluster;
    if (!p.backend(*fallback, "spec.defaultBackend", cluster)) return *std::move(p.rejection);
    const config::Route route = p.make_route("default-backend", cluster, config::PathMatch{});
    // "*" claims the any-host catch-all (a conflict with another default
    // backend); the Ingress's own hosts get it only where they lack "/".
    obj.routes.push_back(HostRoute{"*", route, false});
    for (const auto& host : hosts) {
      if (host == "*") continue;
      config::Route on_host = route;
      on_host.single_label_wildcard = host.starts_with("*.");
      obj.routes.push_back(HostRoute{host, std::move(on_host), true});
    }
  }
  if (obj.routes.empty()) {
    return Problem{Reason::kInvalidValue, "spec: neither rules with paths nor a defaultBackend"};
  }

  const Json& tls = array(spec, "tls");
  for (size_t i = 0; i < tls.size(); ++i) {
    const std::string at = "spec.tls[" + std::to_string(i) + "]";
    const std::string secret = str(tls[i], "secretName");
    if (secret.empty()) continue;  // SNI-only entry: nothing to load
    auto loaded = load_tls_secret(state, obj.key.ns, obj.key.ns, secret);
    if (!loaded.ok()) {
      obj.unresolved.push_back(
          {loaded.error().reason, at + ".secretName: " + loaded.error().message});
      continue;
    }
    std::vector<std::string> tls_hosts;
    for (const Json& h : array(tls[i], "hosts")) {
      if (h.is_string()) tls_hosts.push_back(lower(h.get<std::string>()));
    }
    if (tls_hosts.empty()) tls_hosts.push_back("*");  // no hosts: the default certificate
    for (const auto& host : tls_hosts) obj.tls_by_host.emplace(host, *loaded);
  }
  return obj;
}

}  // namespace archway::controller::compile

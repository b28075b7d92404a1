#include <set>
#include <utility>

#include "controller/compile/api_route_rule.h"
#include "controller/compile/api_route_versioning.h"
#include "controller/compile/json_access.h"
#include "controller/compile/object_translate.h"
#include "controller/compile/tls_secret.h"
#include "proxy/config/field_checks.h"

namespace archway::controller::compile {

void fill_identity(const Json& obj, const char* kind, TranslatedObject& out) {
  const Json& meta = object(obj, "metadata");
  out.kind = kind;
  out.key = ObjectKey{str(meta, "namespace"), str(meta, "name")};
  out.creation_timestamp = str(meta, "creationTimestamp");
}

Result<TranslatedObject, Problem> translate_api_route(const Json& route, const ClusterState& state,
                                                      const PolicyEnforced& enforced) {
  TranslatedObject obj;
  fill_identity(route, "APIRoute", obj);
  const Json& spec = object(route, "spec");
  auto reject = [](Reason reason, std::string message) {
    return Problem{reason, std::move(message)};
  };

  std::set<std::string> hosts;  // sorted, unique
  const Json& hostnames = array(spec, "hostnames");
  for (size_t i = 0; i < hostnames.size(); ++i) {
    const std::string host = hostnames[i].is_string() ? lower(hostnames[i].get<std::string>()) : "";
    // The proxy's own rule for a virtual host domain (config::check_domain).
    if (auto err = config::check_domain(host)) {
      return reject(Reason::kInvalidValue, "spec.hostnames[" + std::to_string(i) + "]: " + *err);
    }
    hosts.insert(host);
  }
  if (hosts.empty()) hosts.insert("*");

  const Json& rules = array(spec, "rules");
  if (rules.empty())
    return reject(Reason::kInvalidValue, "spec.rules: at least one rule is required");
  auto versioning = translate_versioning(spec);
  if (!versioning.ok()) return versioning.error();
  const Json& defaults = object(spec, "defaults");
  const std::string route_name = obj.key.ns + "/" + obj.key.name;
  std::set<std::string> rule_names;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string field = "spec.rules[" + std::to_string(i) + "]";
    const std::string rule_name = str(rules[i], "name", "rule-" + std::to_string(i));
    if (!rule_names.insert(rule_name).second) {
      return reject(Reason::kInvalidValue, field + ".name: \"" + rule_name + "\" is used twice");
    }
    const Json merged = merge_defaults(defaults, rules[i]);
    auto translated = translate_rule(merged, field, obj.key, state, enforced);
    if (!translated.ok()) return translated.error();
    TranslatedRule& rule = *translated;
    if (auto problem = apply_versioning(merged, field, *versioning, rule.route)) return *problem;
    rule.route.name = route_name + "/" + rule_name;
    rule.route.route_name = route_name;
    rule.route.rule_name = rule_name;
    for (auto& cluster : rule.clusters) obj.clusters.emplace(cluster.name, std::move(cluster));
    obj.endpoint_sources.merge(rule.endpoint_sources);
    if (rule.connect_timeout) {
      for (const auto& backend : rule.route.backends) {
        lower_connect_timeout(obj.connect_timeouts, backend.cluster, *rule.connect_timeout);
      }
    }
    for (auto& problem : rule.unresolved) obj.unresolved.push_back(std::move(problem));
    for (auto& note : rule.unenforced) obj.notes.push_back(std::move(note));
    for (const auto& host : hosts) obj.routes.push_back(HostRoute{host, rule.route, false});
  }

  const Json& tls_spec = object(spec, "tls");
  if (const std::string secret = str(tls_spec, "secretName"); !secret.empty()) {
    auto tls = load_tls_secret(state, obj.key.ns, str(tls_spec, "secretNamespace"), secret);
    if (tls.ok()) {
      for (const auto& host : hosts) obj.tls_by_host.emplace(host, *tls);
    } else {
      obj.unresolved.push_back({tls.error().reason, "spec.tls.secretName: " + tls.error().message});
    }
  }
  return obj;
}

}  // namespace archway::controller::compile

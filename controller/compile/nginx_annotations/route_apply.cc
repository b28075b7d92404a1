#include "controller/compile/nginx_annotations/route_apply.h"

#include <algorithm>

#include "controller/compile/cluster_tag.h"
#include "proxy/config/field_checks.h"
#include "proxy/config/path_template.h"
#include "proxy/config/policies/codec.h"

namespace archway::controller::compile::nginx {
namespace {

// The highest $N the rewrite reads (its {N}).
int highest_group(const std::string& full_path) {
  auto names = config::template_references(full_path);
  int most = 0;
  if (!names.ok()) return 0;
  for (const auto& name : *names) {
    if (config::is_group_number(name)) most = std::max(most, name[0] - '0');
  }
  return most;
}

}  // namespace

Result<bool, Problem> regex_path(const Settings& settings, const std::string& raw,
                                 const std::string& type, const std::string& at,
                                 config::PathMatch& match) {
  if (!settings.use_regex || type == "Exact") return false;
  // The raw pattern must stand on its own, so that wrapping it cannot
  // change what it means (its parentheses balance).
  if (raw.size() > 1024 || raw.find_first_of("\r\n") != std::string::npos) {
    return Problem{Reason::kInvalidValue, at + ".path: too long or has a line break"};
  }
  if (auto bad = config::check_regex(raw)) {
    return Problem{Reason::kInvalidRegex,
                   at + ".path: invalid regular expression \"" + raw + "\": " + *bad};
  }
  const std::string wrapped = "(?i)(?:" + raw + ").*";
  const int groups = config::regex_group_count(raw);
  if (config::regex_group_count(wrapped) != groups) {
    return Problem{Reason::kInvalidRegex,
                   at + ".path: \"" + raw + "\" cannot be used as a path regex here"};
  }
  if (settings.rewrite_full_path && highest_group(*settings.rewrite_full_path) > groups) {
    return Problem{Reason::kInvalidTemplate,
                   at + ".path: \"" + raw + "\" has " + std::to_string(groups) +
                       " capture group(s) and the rewrite-target annotation uses $" +
                       std::to_string(highest_group(*settings.rewrite_full_path))};
  }
  match.type = config::PathMatchType::kRegularExpression;
  match.value = wrapped;
  return true;
}

Result<void, Problem> apply_to_route(const Settings& settings, bool host_has_tls,
                                     const std::string& at, config::Route& route) {
  if (settings.rewrite_full_path) {
    const bool regex = std::all_of(route.matches.begin(), route.matches.end(), [](const auto& m) {
      return m.path.type == config::PathMatchType::kRegularExpression;
    });
    if (highest_group(*settings.rewrite_full_path) > 0 && !regex) {
      return Problem{Reason::kInvalidTemplate,
                     at + ": the rewrite-target annotation uses $N, which needs a Prefix or "
                          "ImplementationSpecific path"};
    }
    route.rewrite.full_path = *settings.rewrite_full_path;
  }
  if (settings.upstream_host) route.rewrite.hostname = *settings.upstream_host;
  if (settings.redirect) {
    // The redirect is the route's action, as in nginx (a `return`).
    route.redirect = *settings.redirect;
    route.backends.clear();
    route.rewrite = {};
  }
  if (settings.force_ssl_redirect || (host_has_tls && settings.ssl_redirect.value_or(true))) {
    route.https_redirect = 308;  // ingress-nginx's http-redirect-code default
  }
  if (settings.idle_timeout) route.timeouts.idle = *settings.idle_timeout;
  route.policies.retries = settings.retries;
  route.policies.rate_limit = settings.rate_limit;
  route.policies.cors = settings.cors;
  return {};
}

config::ClusterProtocol protocol(const Settings& settings) {
  return settings.protocol.value_or(config::ClusterProtocol::kHttp1);
}

void apply_to_cluster(const Settings& settings, config::Cluster& cluster) {
  if (!settings.load_balancer) return;
  cluster.name = tagged_cluster_name(cluster.name, "lb", config::to_json(*settings.load_balancer));
  cluster.load_balancer = settings.load_balancer;
}

}  // namespace archway::controller::compile::nginx

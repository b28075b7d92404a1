#include "controller/compile/nginx_annotations/canary_merge.h"

#include <string>
#include <utility>

namespace archway::controller::compile::nginx {
namespace {

// RE2 for a Cookie header holding `name=value` as one of its pairs; `name`
// is a token (canary_annotations.cc), its regex characters escaped.
std::string cookie_pattern(const std::string& name, const std::string& value) {
  std::string escaped;
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_';
    if (!plain) escaped += '\\';
    escaped += c;
  }
  return "(.*;\\s*)?" + escaped + "=" + value + "(\\s*;.*)?";
}

// A copy of `main` that sends requests matching `condition` to `backends`.
HostRoute conditional(const HostRoute& main, const std::string& suffix,
                      const config::ValueMatch& condition,
                      std::vector<config::WeightedBackend> backends) {
  HostRoute out = main;
  out.route.name += "/" + suffix;
  out.route.rule_name += "-" + suffix;
  for (auto& m : out.route.matches) m.headers.push_back(condition);
  out.route.backends = std::move(backends);
  return out;
}

// The main Ingress's route for `canary`'s host and path.
HostRoute* find_main(const std::vector<TranslatedObject*>& ingresses, const TranslatedObject& c,
                     const HostRoute& canary) {
  for (TranslatedObject* m : ingresses) {
    if (m == &c || m->canary || m->key.ns != c.key.ns) continue;
    for (HostRoute& r : m->routes) {
      if (!r.fallback && r.host == canary.host && r.route.matches == canary.route.matches) {
        return &r;
      }
    }
  }
  return nullptr;
}

TranslatedObject* owner_of(const std::vector<TranslatedObject*>& ingresses, const HostRoute* r) {
  for (TranslatedObject* m : ingresses) {
    for (const HostRoute& mine : m->routes) {
      if (&mine == r) return m;
    }
  }
  return nullptr;
}

// The routes `canary` adds to `main` (main's backends already split).
std::vector<HostRoute> canary_routes(const Canary& c, const HostRoute& main,
                                     const config::WeightedBackend& main_backend,
                                     const std::string& canary_cluster) {
  using config::ValueMatch;
  using config::ValueMatchType;
  std::vector<HostRoute> out;
  const std::vector<config::WeightedBackend> to_canary{{canary_cluster, 1}};
  const std::vector<config::WeightedBackend> to_main{{main_backend.cluster, 1}};
  if (c.header) {
    if (c.header_value) {
      out.push_back(conditional(main, "canary-header",
                                ValueMatch{*c.header, ValueMatchType::kExact, *c.header_value},
                                to_canary));
    } else if (c.header_pattern) {
      out.push_back(conditional(
          main, "canary-header",
          ValueMatch{*c.header, ValueMatchType::kRegularExpression, *c.header_pattern}, to_canary));
    } else {
      out.push_back(conditional(main, "canary-header",
                                ValueMatch{*c.header, ValueMatchType::kExact, "always"},
                                to_canary));
      out.push_back(conditional(main, "canary-header-never",
                                ValueMatch{*c.header, ValueMatchType::kExact, "never"}, to_main));
    }
  }
  if (c.cookie) {
    out.push_back(conditional(main, "canary-cookie",
                              ValueMatch{"cookie", ValueMatchType::kRegularExpression,
                                         cookie_pattern(*c.cookie, "always")},
                              to_canary));
    out.push_back(conditional(main, "canary-cookie-never",
                              ValueMatch{"cookie", ValueMatchType::kRegularExpression,
                                         cookie_pattern(*c.cookie, "never")},
                              to_main));
  }
  return out;
}

}  // namespace

void merge_canaries(const std::vector<TranslatedObject*>& ingresses) {
  for (TranslatedObject* c : ingresses) {
    if (!c->canary) continue;
    std::vector<HostRoute> own = std::move(c->routes);
    c->routes.clear();
    for (const HostRoute& canary : own) {
      if (canary.fallback || canary.route.backends.size() != 1) continue;
      const std::string where = canary.host + " " + canary.route.matches.front().path.value;
      HostRoute* main = find_main(ingresses, *c, canary);
      if (main == nullptr || main->route.backends.size() != 1) {
        c->warnings.push_back(
            {Reason::kCanaryNotMerged,
             main == nullptr
                 ? "no main Ingress in this namespace serves " + where + ": the canary is unused"
                 : "the main Ingress's route for " + where +
                       " has no single backend (a redirect, or another canary): not merged"});
        continue;
      }
      TranslatedObject* owner = owner_of(ingresses, main);
      const std::string& cluster = canary.route.backends.front().cluster;
      if (auto it = c->clusters.find(cluster); it != c->clusters.end()) {
        owner->clusters.emplace(cluster, it->second);
      }
      if (auto it = c->endpoint_sources.find(cluster); it != c->endpoint_sources.end()) {
        owner->endpoint_sources.emplace(cluster, it->second);
      }
      const config::WeightedBackend main_backend = main->route.backends.front();
      std::vector<HostRoute> added = canary_routes(*c->canary, *main, main_backend, cluster);
      if (c->canary->weight > 0) {
        main->route.backends = {{main_backend.cluster, c->canary->weight_total - c->canary->weight},
                                {cluster, c->canary->weight}};
      }
      // `main` points into owner->routes: append only after its last use.
      for (auto& r : added) owner->routes.push_back(std::move(r));
    }
  }
}

}  // namespace archway::controller::compile::nginx

#include "controller/compile/vhost_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "proxy/config/snapshot_names.h"

namespace archway::controller::compile {
namespace {

std::string path_type_name(config::PathMatchType type) {
  return std::string(config::to_string(type));
}

std::string value_matches_key(std::vector<config::ValueMatch> values) {
  std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name, a.type, a.value) < std::tie(b.name, b.type, b.value);
  });
  std::string key;
  for (const auto& v : values) {
    key += v.name + '\x1f' + std::to_string(static_cast<int>(v.type)) + '\x1f' + v.value + '\x1e';
  }
  return key;
}

// Two matches are "the same" when the proxy could not tell which route a
// request belongs to: equal path, methods, headers and query params.
std::string match_key(const std::string& host, const config::Match& m) {
  std::vector<std::string> methods = m.methods;
  std::sort(methods.begin(), methods.end());
  std::string key = host + '\x1d' + path_type_name(m.path.type) + '\x1d' + m.path.value + '\x1d';
  for (const auto& method : methods) key += method + '\x1f';
  key += '\x1d' + value_matches_key(m.headers) + '\x1d' + value_matches_key(m.query_params);
  return key;
}

std::string describe(const TranslatedObject& o) { return o.kind + " " + o.key.to_string(); }

bool is_catch_all(const config::Route& route) {
  for (const auto& m : route.matches) {
    if (m.path.type == config::PathMatchType::kPathPrefix && m.path.value == "/" &&
        m.methods.empty() && m.headers.empty() && m.query_params.empty()) {
      return true;
    }
  }
  return false;
}

struct Claim {
  const TranslatedObject* owner;
  std::string host;
  std::string path;
};

}  // namespace

Assembly assemble(std::vector<Contender>& contenders) {
  std::sort(contenders.begin(), contenders.end(), [](const Contender& a, const Contender& b) {
    const auto& x = *a.object;
    const auto& y = *b.object;
    return std::tie(x.creation_timestamp, x.key, x.kind) <
           std::tie(y.creation_timestamp, y.key, y.kind);
  });

  std::map<std::string, Claim> claims;
  for (auto& c : contenders) {
    const Claim* lost_to = nullptr;
    for (const auto& hr : c.object->routes) {
      if (hr.fallback) continue;
      for (const auto& m : hr.route.matches) {
        auto it = claims.find(match_key(hr.host, m));
        if (it != claims.end() && it->second.owner != c.object) {
          lost_to = &it->second;
          break;
        }
      }
      if (lost_to != nullptr) break;
    }
    if (lost_to != nullptr) {
      c.conflict =
          Problem{Reason::kConflicted, "host \"" + lost_to->host + "\" path " + lost_to->path +
                                           " is already routed by " + describe(*lost_to->owner) +
                                           ", which is older and wins"};
      continue;
    }
    for (const auto& hr : c.object->routes) {
      if (hr.fallback) continue;
      for (const auto& m : hr.route.matches) {
        claims.emplace(match_key(hr.host, m), Claim{c.object, hr.host,
                                                    std::string(path_type_name(m.path.type)) +
                                                        " \"" + m.path.value + "\""});
      }
    }
  }

  Assembly out;
  std::map<std::string, config::VirtualHost> hosts;  // ordered: sorted output
  std::map<std::string, config::Cluster> clusters;
  // Across objects too: a cluster's connect timeout is the shortest any
  // rule that sends to it set (config::Cluster's default otherwise).
  std::map<std::string, config::Duration> connect_timeouts;
  std::set<std::string> route_names;
  std::map<std::string, std::vector<const TranslatedObject*>> owners;  // by host
  auto add_route = [&](const std::string& host, config::Route route,
                       const TranslatedObject* owner) {
    config::VirtualHost& vh = hosts[host];
    owners[host].push_back(owner);
    // One rule of a multi-host object lands on several hosts; route names
    // must stay unique across the snapshot.
    if (!route_names.insert(route.name).second) {
      route.name += "@" + host;
      route_names.insert(route.name);
    }
    vh.routes.push_back(std::move(route));
  };
  for (const auto& c : contenders) {
    if (c.conflict) continue;
    for (const auto& hr : c.object->routes) {
      if (!hr.fallback) add_route(hr.host, hr.route, c.object);
    }
    for (const auto& [host, cert] : c.object->tls_by_host) {
      auto& tls = hosts[host].tls;
      if (!tls) tls = cert;  // the oldest object's certificate wins a host
    }
    for (const auto& [name, cluster] : c.object->clusters) clusters.emplace(name, cluster);
    out.endpoint_sources.insert(c.object->endpoint_sources.begin(),
                                c.object->endpoint_sources.end());
    for (const auto& [name, timeout] : c.object->connect_timeouts) {
      lower_connect_timeout(connect_timeouts, name, timeout);
    }
  }
  // Fallbacks last, so they only fill hosts that lack a catch-all.
  for (const auto& c : contenders) {
    if (c.conflict) continue;
    for (const auto& hr : c.object->routes) {
      if (!hr.fallback) continue;
      const auto& routes = hosts[hr.host].routes;
      if (std::none_of(routes.begin(), routes.end(), is_catch_all)) {
        add_route(hr.host, hr.route, nullptr);
      }
    }
  }

  for (auto& [host, vh] : hosts) {
    vh.name = host;
    vh.domains = {host};
    out.virtual_hosts.push_back(std::move(vh));
    out.route_owners.push_back(std::move(owners[host]));
  }
  for (auto& [name, cluster] : clusters) {
    if (auto it = connect_timeouts.find(name); it != connect_timeouts.end()) {
      cluster.connect_timeout = it->second;
    }
    out.clusters.push_back(std::move(cluster));
  }
  return out;
}

}  // namespace archway::controller::compile

#pragma once
// Imported settings (nginx_import.h) → one Ingress path's route and cluster:
// the same config::Route fields and cluster settings an APIRoute rule fills.

#include <string>

#include "controller/compile/nginx_annotations/nginx_import.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile::nginx {

// The path of one Ingress path entry under use-regex: Prefix and
// ImplementationSpecific paths become a case-insensitive RegularExpression
// anchored at the start only (nginx's `location ~* ^path`); Exact stays
// exact. `raw` is spec.rules[].http.paths[].path as written. False (path
// untouched) when use-regex is off or the type is Exact.
[[nodiscard]] Result<bool, Problem> regex_path(const Settings& settings, const std::string& raw,
                                               const std::string& type, const std::string& at,
                                               config::PathMatch& match);

// Rewrite, redirect, https redirect, timeouts and policies onto `route`
// (one backend, one match, built by the Ingress translation). `host_has_tls`:
// spec.tls names the route's host (ssl-redirect's default).
[[nodiscard]] Result<void, Problem> apply_to_route(const Settings& settings, bool host_has_tls,
                                                   const std::string& at, config::Route& route);

// Protocol (backend-protocol) before the backend is resolved.
[[nodiscard]] config::ClusterProtocol protocol(const Settings& settings);

// Balancing (upstream-hash-by, affinity) onto a resolved cluster: a cluster
// of its own, as an APIRoute rule's loadBalancer gets.
void apply_to_cluster(const Settings& settings, config::Cluster& cluster);

}  // namespace archway::controller::compile::nginx

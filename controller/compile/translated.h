#pragma once
// The plain intermediate form between translating one object (APIRoute or
// Ingress) and assembling the snapshot: what the object would add if it wins
// every conflict. Kept separate so conflicts and host merging can be judged
// across all objects at once (vhost_builder.h).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "controller/compile/nginx_annotations/canary.h"
#include "controller/compile/reason.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

// One route on one host.
struct HostRoute {
  std::string host;  // lowercase; "*" = any host
  config::Route route;
  // Ingress defaultBackend on the Ingress's own hosts: used only where the host
  // has no catch-all of its own, and never a conflict.
  bool fallback = false;
};

// A problem that keeps the object out of the snapshot (Accepted=False) or
// leaves a reference dangling (ResolvedRefs=False). A compile step that can
// reject returns Result<T, Problem>: its output, or the first problem found.
struct Problem {
  Reason reason = Reason::kInvalidValue;
  std::string message;  // names the field and the value a person must fix
};

// Where a cluster's endpoints come from: the EndpointSlices labelled for the
// Service, on the slice port named like the Service port (that is how a
// named targetPort is carried).
struct EndpointSource {
  std::string ns;
  std::string service;
  std::string port_name;
  auto operator<=>(const EndpointSource&) const = default;
};

struct TranslatedObject {
  std::string kind;  // APIRoute | Ingress
  ObjectKey key;
  std::string creation_timestamp;  // RFC 3339 from metadata; sorts as text
  std::vector<HostRoute> routes;
  std::map<std::string, config::TlsCertificate> tls_by_host;
  std::map<std::string, config::Cluster> clusters;  // by Cluster::name, without endpoints
  // Cluster name → the Service port whose endpoints it gets: endpoints are
  // filled after assembly (endpoint_index.h), so that EndpointSlice churn
  // never translates a route again.
  std::map<std::string, EndpointSource> endpoint_sources;
  // cluster name → the shortest timeouts.connect a rule of the object set
  // for it (the cluster's connectTimeout: vhost_builder.h)
  std::map<std::string, config::Duration> connect_timeouts;
  std::vector<Problem> unresolved;  // ResolvedRefs=False when non-empty
  std::vector<std::string> notes;   // e.g. policies not enforced yet
  // One Warning Event each while the object still serves (ingress-nginx
  // annotations ignored or not honoured, docs/migration.md).
  std::vector<Problem> warnings;
  // An ingress-nginx canary Ingress (nginx.ingress.kubernetes.io/canary):
  // its routes are folded into its main Ingress's (canary_merge.h).
  std::optional<nginx::Canary> canary;
};

// Keeps the shorter of `timeout` and what `into` holds for `cluster`.
inline void lower_connect_timeout(std::map<std::string, config::Duration>& into,
                                  const std::string& cluster, config::Duration timeout) {
  auto [it, inserted] = into.emplace(cluster, timeout);
  if (!inserted && timeout < it->second) it->second = timeout;
}

}  // namespace archway::controller::compile

#pragma once
// A backend reference → a proxy cluster named for the Service port, and where
// its endpoints come from. The proxy talks to pods directly (no kube-proxy
// hop, no ClusterIP); the pod addresses are filled in after assembly
// (endpoint_index.h), so translating a route never reads an EndpointSlice.

#include <map>
#include <optional>
#include <string>

#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

struct BackendRef {
  std::string ns;
  std::string service;
  std::optional<int64_t> port_number;  // the Service port, by number ...
  std::string port_name;               // ... or by name (Ingress only)
  config::ClusterProtocol protocol = config::ClusterProtocol::kHttp1;
  // The namespace of the APIRoute that names the Service when it differs
  // from `ns` (a cross-namespace backend, reference_grant.h); empty otherwise.
  std::string from_ns;
};

struct ResolvedBackend {
  // Always set, so a route can point at it: a cluster with no endpoints makes
  // the proxy answer 503 until the Service appears.
  config::Cluster cluster;
  // BackendNotFound with the name in the message; RefNotPermitted for another
  // namespace's Service without a ReferenceGrant (the cluster then has no
  // endpoints and a name of its own, so the Service is not served through it).
  std::optional<Problem> problem;
  // Set when the Service port resolved: the cluster's endpoints are filled
  // from it after assembly (endpoint_index.h).
  std::optional<EndpointSource> endpoints_from;
};

// An APIRoute's {name, port, namespace?} backend: the Service in `namespace`
// when set (from_ns then names the route's), else in the route's own.
[[nodiscard]] BackendRef api_route_backend_ref(const nlohmann::json& backend,
                                               const std::string& route_ns);

// Cluster names are "namespace/service/port" (+ "/h2c" or "/https" for those
// protocols), so two routes to the same Service port share one cluster.
[[nodiscard]] ResolvedBackend resolve_backend(const ClusterState& state, const BackendRef& ref);

}  // namespace archway::controller::compile

#pragma once
// Service → EndpointSlices → a proxy cluster of ready pod addresses. The proxy
// talks to pods directly (no kube-proxy hop, no ClusterIP), so the cluster
// carries endpoint addresses and the slice's target port.

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

// CompileOptions::endpoint_address_map (development only; usually empty).
using AddressMap = std::map<std::string, std::string>;

struct ResolvedBackend {
  // Always set, so a route can point at it: a cluster with no endpoints makes
  // the proxy answer 503 until the Service appears.
  config::Cluster cluster;
  // BackendNotFound with the name in the message; RefNotPermitted for another
  // namespace's Service without a ReferenceGrant (the cluster then has no
  // endpoints and a name of its own, so the Service is not served through it).
  std::optional<Problem> problem;
};

// An APIRoute's {name, port, namespace?} backend: the Service in `namespace`
// when set (from_ns then names the route's), else in the route's own.
[[nodiscard]] BackendRef api_route_backend_ref(const nlohmann::json& backend,
                                               const std::string& route_ns);

// Cluster names are "namespace/service/port" (+ "/h2c" or "/https" for those
// protocols), so two routes to the same Service port share one cluster.
[[nodiscard]] ResolvedBackend resolve_backend(const ClusterState& state, const BackendRef& ref,
                                              const AddressMap& address_map);

}  // namespace archway::controller::compile

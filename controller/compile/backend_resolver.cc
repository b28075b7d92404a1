#include "controller/compile/backend_resolver.h"

#include <algorithm>
#include <set>
#include <utility>

#include "controller/compile/json_access.h"
#include "controller/compile/reference_grant.h"

namespace archway::controller::compile {
namespace {

constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

std::string cluster_name(const BackendRef& ref, const std::string& port) {
  std::string name = ref.ns + "/" + ref.service + "/" + port;
  switch (ref.protocol) {
    case config::ClusterProtocol::kHttp1:
      break;
    case config::ClusterProtocol::kH2c:
      name += "/h2c";
      break;
    case config::ClusterProtocol::kHttps:
      name += "/https";
      break;
  }
  return name;
}

const Json* find_service_port(const Json& service, const BackendRef& ref) {
  for (const Json& port : array(object(service, "spec"), "ports")) {
    if (ref.port_number && integer(port, "port") == ref.port_number) return &port;
    if (!ref.port_name.empty() && str(port, "name") == ref.port_name) return &port;
  }
  return nullptr;
}

// Ready endpoints of every slice labelled for the Service, on the slice port
// whose name equals the Service port's name (that is how EndpointSlices carry
// a resolved named targetPort).
std::vector<config::Endpoint> ready_endpoints(const ClusterState& state, const BackendRef& ref,
                                              const std::string& port_name,
                                              const AddressMap& address_map) {
  std::set<std::pair<std::string, uint16_t>> unique;  // sorted: deterministic output
  for (auto it = state.endpoint_slices.lower_bound(ObjectKey{ref.ns, ""});
       it != state.endpoint_slices.end() && it->first.ns == ref.ns; ++it) {
    const Json& slice = it->second;
    const Json& labels = object(object(slice, "metadata"), "labels");
    if (str(labels, kServiceNameLabel) != ref.service) continue;
    if (str(slice, "addressType", "IPv4") == "FQDN") continue;  // pod IPs only
    std::optional<int64_t> port;
    for (const Json& slice_port : array(slice, "ports")) {
      if (str(slice_port, "name") == port_name) port = integer(slice_port, "port");
    }
    if (!port || *port <= 0 || *port > 65535) continue;
    for (const Json& endpoint : array(slice, "endpoints")) {
      const Json* ready = member(object(endpoint, "conditions"), "ready");
      if (ready != nullptr && ready->is_boolean() && !ready->get<bool>()) continue;
      for (const Json& address : array(endpoint, "addresses")) {
        if (!address.is_string()) continue;
        const auto mapped = address_map.find(address.get<std::string>());
        unique.emplace(mapped != address_map.end() ? mapped->second : address.get<std::string>(),
                       static_cast<uint16_t>(*port));
      }
    }
  }
  std::vector<config::Endpoint> endpoints;
  endpoints.reserve(unique.size());
  for (const auto& [address, port] : unique) endpoints.push_back({address, port});
  return endpoints;
}

}  // namespace

BackendRef api_route_backend_ref(const Json& backend, const std::string& route_ns) {
  BackendRef ref{route_ns, str(backend, "name"), integer(backend, "port"), {}, {}, {}};
  if (std::string ns = str(backend, "namespace"); !ns.empty() && ns != route_ns) {
    ref.ns = std::move(ns);
    ref.from_ns = route_ns;
  }
  return ref;
}

ResolvedBackend resolve_backend(const ClusterState& state, const BackendRef& ref,
                                const AddressMap& address_map) {
  ResolvedBackend out;
  out.cluster.protocol = ref.protocol;
  const std::string wanted_port =
      ref.port_number ? std::to_string(*ref.port_number) : ref.port_name;
  out.cluster.name = cluster_name(ref, wanted_port);
  if (ref.protocol == config::ClusterProtocol::kHttps) {
    // In-cluster backends rarely hold publicly trusted certificates and a
    // Route has no CA field yet: encrypt, name the Service, do not verify
    // (docs/controller.md, like Contour without a validation policy).
    out.cluster.tls_server_name = ref.service + "." + ref.ns + ".svc";
    out.cluster.tls_verify = false;
  }
  if (!ref.from_ns.empty()) {
    if (auto refused =
            check_reference(state, {"APIRoute", ref.from_ns}, {"Service", ref.ns, ref.service})) {
      // A cluster name no permitted reference uses: routes that may reach
      // the Service keep their endpoints in "ns/service/port".
      out.cluster.name += "/not-permitted";
      out.problem = std::move(refused);
      return out;
    }
  }
  const std::string svc_name = ref.ns + "/" + ref.service;
  auto svc = state.services.find(ObjectKey{ref.ns, ref.service});
  if (svc == state.services.end()) {
    out.problem = Problem{Reason::kBackendNotFound, "Service " + svc_name + " not found"};
    return out;
  }
  const Json& spec = object(svc->second, "spec");
  if (str(spec, "type") == "ExternalName") {
    out.problem =
        Problem{Reason::kUnsupportedValue,
                "Service " + svc_name + " is of type ExternalName, which is not supported"};
    return out;
  }
  const Json* port = find_service_port(svc->second, ref);
  if (port == nullptr) {
    out.problem =
        Problem{Reason::kBackendNotFound, "Service " + svc_name + " has no port " + wanted_port};
    return out;
  }
  // Ingress may name the port; the cluster is keyed by number so both
  // spellings share one cluster.
  if (auto number = integer(*port, "port")) {
    out.cluster.name = cluster_name(ref, std::to_string(*number));
  }
  out.cluster.endpoints = ready_endpoints(state, ref, str(*port, "name"), address_map);
  return out;
}

}  // namespace archway::controller::compile

#include "controller/compile/backend_resolver.h"

#include <algorithm>
#include <utility>

#include "controller/compile/json_access.h"
#include "controller/compile/reference_grant.h"

namespace archway::controller::compile {
namespace {

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

}  // namespace

BackendRef api_route_backend_ref(const Json& backend, const std::string& route_ns) {
  BackendRef ref{route_ns, str(backend, "name"), integer(backend, "port"), {}, {}, {}};
  if (std::string ns = str(backend, "namespace"); !ns.empty() && ns != route_ns) {
    ref.ns = std::move(ns);
    ref.from_ns = route_ns;
  }
  return ref;
}

ResolvedBackend resolve_backend(const ClusterState& state, const BackendRef& ref) {
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
  out.endpoints_from = EndpointSource{ref.ns, ref.service, str(*port, "name")};
  return out;
}

}  // namespace archway::controller::compile

#pragma once
// The seam between the informers (network edge) and compile (pure): a plain
// value copy of every object the controller watches, as the API server sent
// them (nlohmann::json, the full object incl. metadata). Informers fill one;
// compile reads it through const& and never mutates it (STYLE.md habit 4).

#include <map>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

namespace archway::controller {

struct ObjectKey {
  std::string ns;  // empty for cluster-scoped kinds (IngressClass)
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
  [[nodiscard]] std::string to_string() const { return ns.empty() ? name : ns + "/" + name; }
};

using ObjectMap = std::map<ObjectKey, nlohmann::json>;  // ordered: compile output is deterministic

struct ClusterState {
  ObjectMap ingress_classes;   // networking.k8s.io/v1 IngressClass
  ObjectMap ingresses;         // networking.k8s.io/v1 Ingress
  ObjectMap api_routes;        // archway.dev/v1alpha1 APIRoute
  ObjectMap services;          // v1 Service
  ObjectMap endpoint_slices;   // discovery.k8s.io/v1 EndpointSlice (keyed by slice name)
  ObjectMap secrets;           // v1 Secret, only those referenced by routes (fetched by name)
  ObjectMap reference_grants;  // archway.dev/v1alpha1 ReferenceGrant (cross-namespace refs)
};

}  // namespace archway::controller

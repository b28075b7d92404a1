#pragma once
// The seam between the informers (network edge) and compile (pure): a plain
// value copy of every object the controller watches, as the API server sent
// them (the full object incl. metadata, shared and immutable: Object). Informers fill one;
// compile reads it through const& and never mutates it (STYLE.md habit 4).

#include <map>
#include <memory>
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

// One object as the API server sent it (less what ingest drops: managed
// fields), immutable and shared. Copying a ClusterState, as every compile
// does, copies pointers rather than documents, and an object that did not
// change is the same pointer from one compile to the next (what the
// incremental compile keys on). Reads as a const nlohmann::json&.
class Object {
 public:
  Object() : json_(std::make_shared<const nlohmann::json>()) {}
  // Implicit: a test or fixture assigns a document where an Object is kept.
  Object(nlohmann::json json)  // NOLINT(google-explicit-constructor)
      : json_(std::make_shared<const nlohmann::json>(std::move(json))) {}
  operator const nlohmann::json&() const { return *json_; }  // NOLINT: an Object is its document
  [[nodiscard]] const nlohmann::json& json() const { return *json_; }
  const nlohmann::json& operator*() const { return *json_; }
  const nlohmann::json* operator->() const { return json_.get(); }
  // The same shared document (not merely an equal one).
  [[nodiscard]] bool same(const Object& other) const { return json_ == other.json_; }
  friend bool operator==(const Object& a, const Object& b) {
    return a.json_ == b.json_ || *a.json_ == *b.json_;
  }

 private:
  std::shared_ptr<const nlohmann::json> json_;
};

using ObjectMap = std::map<ObjectKey, Object>;  // ordered: compile output is deterministic

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

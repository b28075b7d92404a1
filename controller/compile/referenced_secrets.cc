#include "controller/compile/referenced_secrets.h"

#include <array>
#include <string_view>

#include "controller/compile/json_access.h"
#include "controller/compile/reference_grant.h"

namespace archway::controller::compile {
namespace {

// Where an `auth` object names its Secret, per method.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kAuthRefs = {{
    {"jwt", "jwksSecretRef"},
    {"oauth2Introspection", "clientSecretRef"},
    {"apiKey", "secretRef"},
}};

class Collector {
 public:
  explicit Collector(const ClusterState& state) : state_(state) {}

  // A Secret named by an APIRoute of `route_ns`; ns empty: the route's own.
  void add(const std::string& route_ns, std::string ns, std::string name) {
    if (name.empty()) return;
    if (ns.empty()) ns = route_ns;
    if (!reference_permitted(state_, {"APIRoute", route_ns}, {"Secret", ns, name})) return;
    out_.insert(ObjectKey{std::move(ns), std::move(name)});
  }

  void add_auth(const std::string& route_ns, const Json& auth) {
    for (const auto& [method, ref_field] : kAuthRefs) {
      const Json& ref = object(object(auth, method), ref_field);
      add(route_ns, str(ref, "namespace"), str(ref, "name"));
    }
  }

  std::set<ObjectKey> take() { return std::move(out_); }

 private:
  const ClusterState& state_;
  std::set<ObjectKey> out_;
};

}  // namespace

std::set<ObjectKey> referenced_secrets(const ClusterState& state) {
  Collector collector(state);
  for (const auto& [key, ingress] : state.ingresses) {
    for (const Json& tls : array(object(ingress, "spec"), "tls")) {
      collector.add(key.ns, key.ns, str(tls, "secretName"));
    }
  }
  for (const auto& [key, route] : state.api_routes) {
    const Json& spec = object(route, "spec");
    const Json& tls = object(spec, "tls");
    collector.add(key.ns, str(tls, "secretNamespace"), str(tls, "secretName"));
    collector.add_auth(key.ns, object(object(spec, "defaults"), "auth"));
    for (const Json& rule : array(spec, "rules")) collector.add_auth(key.ns, object(rule, "auth"));
  }
  return collector.take();
}

}  // namespace archway::controller::compile

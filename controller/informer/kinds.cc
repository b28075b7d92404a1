#include "controller/informer/kinds.h"

namespace archway::controller::informer {

const std::vector<KindSpec>& controller_kinds() {
  static const std::vector<KindSpec> kinds = {
      {"IngressClass", "/apis/networking.k8s.io/v1", "ingressclasses", false, false,
       &ClusterState::ingress_classes, nullptr, false},
      {"Ingress", "/apis/networking.k8s.io/v1", "ingresses", true, false, &ClusterState::ingresses,
       nullptr, true},
      {"APIRoute", "/apis/archway.dev/v1alpha1", "apiroutes", true, true, &ClusterState::api_routes,
       nullptr, true},
      {"Service", "/api/v1", "services", true, false, &ClusterState::services, nullptr, false},
      {"EndpointSlice", "/apis/discovery.k8s.io/v1", "endpointslices", true, false,
       &ClusterState::endpoint_slices, nullptr, false},
      // Secrets are not listed or watched: the ones routes name are fetched by
      // name (secret_fetcher.h), so the controller needs only `get` on them.
      {"ReferenceGrant", "/apis/archway.dev/v1alpha1", "referencegrants", true, true,
       &ClusterState::reference_grants, nullptr, false},
  };
  return kinds;
}

std::string collection_path(const KindSpec& kind, const std::string& ns) {
  if (!kind.namespaced || ns.empty()) return kind.api_prefix + "/" + kind.resource;
  return kind.api_prefix + "/namespaces/" + ns + "/" + kind.resource;
}

std::string query_escape(const std::string& value) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

ObjectKey key_of(const nlohmann::json& object) {
  ObjectKey key;
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return key;
  key.ns = meta->value("namespace", "");
  key.name = meta->value("name", "");
  return key;
}

nlohmann::json trimmed(nlohmann::json object) {
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    meta->erase("managedFields");
    // kubectl apply's copy of the whole object: as large again, never read.
    if (auto notes = meta->find("annotations"); notes != meta->end() && notes->is_object()) {
      notes->erase("kubectl.kubernetes.io/last-applied-configuration");
    }
  }
  return object;
}

}  // namespace archway::controller::informer

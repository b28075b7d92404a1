#pragma once
// The kinds the controller caches and how to reach them in the API. A table,
// not a class hierarchy: every kind is listed and watched the same way.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/model/cluster_state.h"

namespace archway::controller::informer {

struct KindSpec {
  std::string kind;        // for logs: "Ingress"
  std::string api_prefix;  // "/api/v1" or "/apis/<group>/<version>"
  std::string resource;    // plural: "ingresses"
  bool namespaced = true;
  // A CRD that may not be installed yet: 404 on list means "empty for now,
  // retry with backoff" instead of an error that stalls the sync.
  bool optional = false;
  ObjectMap ClusterState::*member = nullptr;
  // Objects failing the filter are not cached (and dropped if cached). nullptr: all.
  bool (*keep)(const nlohmann::json& object) = nullptr;
  // The controller writes this kind's status and compile never reads it:
  // the cache drops status and metadata.resourceVersion, so that the
  // leader's own status writes (one per object per change) are not changes
  // that start another compile (docs/scale.md).
  bool status_is_ours = false;
};

// IngressClass, Ingress, APIRoute, Service, EndpointSlice, ReferenceGrant.
// Secrets are fetched by name instead (secret_fetcher.h).
[[nodiscard]] const std::vector<KindSpec>& controller_kinds();

// "/apis/networking.k8s.io/v1/namespaces/shop/ingresses", or the all-namespace
// (and cluster-scoped) form when ns is empty.
[[nodiscard]] std::string collection_path(const KindSpec& kind, const std::string& ns);

// Percent-encodes a query parameter value (continue tokens are base64).
[[nodiscard]] std::string query_escape(const std::string& value);

// The cache key of an object: metadata.namespace / metadata.name.
[[nodiscard]] ObjectKey key_of(const nlohmann::json& object);

// What the cache keeps of an object: the object without metadata.managedFields
// and kubectl's last-applied-configuration annotation (together often larger
// than the rest, and nothing downstream reads them).
[[nodiscard]] nlohmann::json trimmed(nlohmann::json object);

}  // namespace archway::controller::informer

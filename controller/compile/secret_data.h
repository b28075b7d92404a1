#pragma once
// Reading a Secret of the informer cache, for every compile step that names
// one (spec.tls.secretName, the auth references). A reference names a Secret
// of the referencing object's own namespace, or of another one (an APIRoute's
// `namespace` / `secretNamespace`) only where a ReferenceGrant there permits
// it (reference_grant.h): a route never reads another namespace's Secrets
// without that namespace's consent.

#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::compile {

// The Secret `ns`/`name`, or SecretNotFound ("Secret ns/name not found").
// The pointer is into `state` and lives as long as it.
[[nodiscard]] Result<const nlohmann::json*, Problem> find_secret(const ClusterState& state,
                                                                 const std::string& ns,
                                                                 const std::string& name);

// The Secret `ns`/`name` as an APIRoute of namespace `from_ns` may read it:
// RefNotPermitted for another namespace without a grant (checked before the
// cache is looked at, so the message does not tell whether it exists), else
// as find_secret. An empty `ns` is `from_ns`.
[[nodiscard]] Result<const nlohmann::json*, Problem> find_referenced_secret(
    const ClusterState& state, const std::string& from_ns, const std::string& ns,
    const std::string& name);

// The bytes under data[`key`] (base64-decoded, as the API server stores
// them), or SecretNotFound when the key is absent and InvalidSecret when it
// is not valid base64. Messages name the Secret and the key, never a value.
[[nodiscard]] Result<std::string, Problem> secret_value(const nlohmann::json& secret,
                                                        const std::string& key);

// "ns/name" of a Secret object, for messages.
[[nodiscard]] std::string secret_full_name(const nlohmann::json& secret);

}  // namespace archway::controller::compile

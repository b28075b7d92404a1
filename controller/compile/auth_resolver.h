#pragma once
// An APIRoute rule's `auth` (the CRD form, which names Secrets) → the
// snapshot's config::Auth (self-contained: DESIGN.md §1). Secrets are read
// here, from the informer cache, so the proxy never talks to the API server
// and a rotated Secret reaches it with the next compile. What the proxy gets
// (docs/auth.md "Configuration"):
//   jwt.jwksSecretRef          → jwt.jwks, the JSON text of data[key];
//   jwt.jwksUri                → as is: the proxy fetches it itself;
//   oauth2Introspection.clientSecretRef
//                              → clientId / clientSecret from data[client-id]
//                                and data[client-secret];
//   apiKey.secretRef           → one {id, sha256} per data entry: the
//                                SHA-256 of the key, never the key.
// No message holds a Secret's value: they name the Secret, the key and the
// field.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/policies/auth.h"

namespace archway::controller::compile {

// The one method an `auth` object sets ("jwt", "oauth2Introspection",
// "apiKey"); empty for `auth: {}` (a rule turning a default auth off).
// Setting two is InvalidValue, as the CRD's CEL rule says.
[[nodiscard]] Result<std::string, Problem> auth_method(const nlohmann::json& auth,
                                                       const std::string& field);

// `auth` (one method set; `field` is its path, "spec.rules[0].auth") with
// its Secrets read from namespace `ns`, or from the namespace a reference
// names where a ReferenceGrant permits it. Problems:
//   RefNotPermitted another namespace's Secret without a grant;
//   SecretNotFound  a referenced Secret, or a key it must hold, is absent;
//   InvalidSecret   the Secret's content is unusable (a JWKS that is not a
//                   key set, an empty API key or one with control
//                   characters, invalid base64...);
//   InvalidValue    a field of the rule itself (the proxy's own check).
// is_reference_problem() tells the first three apart: the rule answers 503
// and the route gets ResolvedRefs=False, rather than Accepted=False.
[[nodiscard]] Result<config::Auth, Problem> resolve_auth(const nlohmann::json& auth,
                                                         const std::string& field,
                                                         const std::string& ns,
                                                         const ClusterState& state);

[[nodiscard]] bool is_reference_problem(const Problem& problem);

// Lower-case hex SHA-256 of `bytes` (64 characters).
[[nodiscard]] std::string sha256_hex(std::string_view bytes);

}  // namespace archway::controller::compile

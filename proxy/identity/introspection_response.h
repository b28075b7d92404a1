#pragma once
// Reading an RFC 7662 answer, strictly (docs/auth.md "OAuth2 token
// introspection"). Pure.
//
// - status 200 and one JSON object (no repeated member name) with a boolean
//   `active`, else kEndpointError: a broken endpoint is not an inactive
//   token, and must not be cached as one;
// - `active: false` → kInactive (every other member ignored, §2.2);
// - for an active token, the members we use must have their RFC type when
//   present (`scope` a space-separated string, `aud` a string or an array
//   of strings, `exp`/`iat`/`nbf` numbers, `sub`/`username`/`client_id`/
//   `iss` strings), else kEndpointError.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "proxy/identity/introspection_failure.h"

namespace archway::identity {

// What the endpoint said about an active token.
struct TokenIntrospection {
  std::vector<std::string> scopes;                     // `scope`, split on spaces
  std::vector<std::string> audiences;                  // `aud`, a string or an array
  std::optional<std::chrono::sys_seconds> expires_at;  // `exp`
  std::optional<std::chrono::sys_seconds> issued_at;   // `iat`
  std::optional<std::chrono::sys_seconds> not_before;  // `nbf`
  std::optional<std::string> subject;                  // `sub`
  std::optional<std::string> username;
  std::optional<std::string> client_id;
  std::optional<std::string> issuer;  // `iss`
  nlohmann::json claims;              // the whole answer, for forwardClaims

  [[nodiscard]] bool has_scope(std::string_view scope) const;
  // As VerifiedToken::claim_as_header_value (claim_header_value.h).
  [[nodiscard]] std::optional<std::string> claim_as_header_value(std::string_view name) const;
};

using IntrospectionResult = Result<TokenIntrospection, IntrospectionFailure>;

[[nodiscard]] IntrospectionResult parse_introspection_response(int status, std::string_view body);

}  // namespace archway::identity

#pragma once
// Why an introspected token was refused, or why it could not be judged
// (docs/auth.md "OAuth2 token introspection"). The filter maps each one to
// its answer and to the `reason` label of archway_auth_failures_total; the
// client sees only the RFC 6750 code.

#include <string_view>

namespace archway::identity {

enum class IntrospectionFailure {
  // The token itself: 401 invalid_token.
  kMalformed,      // not an RFC 6750 b64token, or over the size limit: never sent to the endpoint
  kInactive,       // the endpoint said "active": false (revoked, expired, unknown to it)
  kExpired,        // active, but its exp has passed (beyond the clock skew)
  kNotYetValid,    // active, but nbf or iat in the future (beyond the clock skew)
  kWrongAudience,  // active, but aud names none of the policy's audiences
  // Valid token without every required scope: 403 insufficient_scope.
  kInsufficientScope,
  // Our side, not the token's: 503 (fail closed). RFC 6750's invalid_token
  // would tell a client with a good token to get a new one, which does not
  // help while the identity provider is down.
  kEndpointUnavailable,  // no answer: connect, TLS, timeout, reset
  kEndpointError,  // an answer that is not RFC 7662: a non-200 status, not JSON, no boolean active
};

// The metric label: "inactive", "endpoint_unavailable", …
[[nodiscard]] std::string_view failure_label(IntrospectionFailure failure);

// 401, 403 or 503 as above.
[[nodiscard]] int http_status_for(IntrospectionFailure failure);

// "invalid_token", "insufficient_scope", or empty for the 503s (no
// WWW-Authenticate challenge: the token was not judged).
[[nodiscard]] std::string_view bearer_error_code(IntrospectionFailure failure);

// The endpoint failed, so a stale positive answer may stand in (grace).
[[nodiscard]] bool is_endpoint_failure(IntrospectionFailure failure);

}  // namespace archway::identity

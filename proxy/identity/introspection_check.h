#pragma once
// Judging an active introspection answer against the policy, at the time
// of each request (a cached answer is judged again each time: its exp may
// pass while it is cached). Pure; `now` is a parameter.

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/identity/introspection_failure.h"
#include "proxy/identity/introspection_policy.h"
#include "proxy/identity/introspection_response.h"

namespace archway::identity {

// In this order: exp passed (now >= exp + skew) → kExpired; nbf or iat
// after now + skew → kNotYetValid; aud without a configured audience →
// kWrongAudience; a required scope missing → kInsufficientScope. An answer
// without exp is accepted (RFC 7662 makes it optional; the endpoint said
// active), and is cached for cache_ttl alone.
[[nodiscard]] Result<void, IntrospectionFailure> check_introspection(
    const TokenIntrospection& token, const IntrospectionPolicy& policy,
    std::chrono::system_clock::time_point now);

// Whether the answer's `aud` (a string or an array, as parsed) names one
// of `audiences`, compared byte for byte as for JWT; true when `audiences`
// is empty (not checked). An answer without `aud` names none.
[[nodiscard]] bool names_an_audience(const TokenIntrospection& token,
                                     const std::vector<std::string>& audiences);

// RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
// "/" ) *"=", at most `max_bytes`. Anything else is never sent to the
// endpoint.
[[nodiscard]] bool is_bearer_token_syntax(std::string_view token, size_t max_bytes);

}  // namespace archway::identity

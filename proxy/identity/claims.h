#pragma once
// The registered claims of a signed JWT (RFC 7519 §4.1) against a policy,
// in this order: exp (required, a number), nbf, iat, iss, aud, then the
// required scopes (RFC 8725 §3.8-3.9). Time is a parameter: no clock is read
// here, so the same token and `now` always give the same answer.

#include <chrono>

#include <nlohmann/json.hpp>

#include "proxy/identity/jwt_failure.h"
#include "proxy/identity/jwt_policy.h"
#include "proxy/identity/verified_token.h"

namespace archway::identity {

// exp: refused once now >= exp + skew. nbf: refused while now + skew < nbf.
// iat: refused while now + skew < iat (issued in the future). NumericDates
// may be fractional (floored) and must lie within ±2^62 s: an exp outside
// that, or not a number, is missing_exp; such an nbf or iat, malformed.
// Scopes: scope (a space-separated string) and scp (an array of strings, or
// a space-separated string as some issuers send) together.
[[nodiscard]] JwtResult<VerifiedToken> check_claims(nlohmann::json claims, const JwtPolicy& policy,
                                                    std::chrono::sys_seconds now);

}  // namespace archway::identity

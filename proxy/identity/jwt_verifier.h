#pragma once
// Verifies a compact JWT against a key set and a policy: the pure core the
// JWT filter calls (issue 13, item 1). No I/O and no clock: the caller
// passes `now`, and on unknown_key decides itself whether to refetch keys.
//
// The key decides the algorithm (RFC 8725 §3.1): with a kid, only keys with
// that kid are candidates (none: unknown_key) and one of them must accept the
// token's alg by kty/crv/alg (none does: alg_not_allowed, e.g. an RSA key and
// HS256); without a kid, every key of the set that accepts the alg is tried.
// HS256/384/512 can only succeed with an oct key, and oct keys exist only in
// a set parsed as KeySource::kHmacSecret.

#include <chrono>
#include <string_view>

#include "proxy/identity/jwk_set.h"
#include "proxy/identity/jwt_failure.h"
#include "proxy/identity/jwt_policy.h"
#include "proxy/identity/verified_token.h"

namespace archway::identity {

[[nodiscard]] JwtResult<VerifiedToken> verify_jwt(std::string_view token, const JwkSet& keys,
                                                  const JwtPolicy& policy,
                                                  std::chrono::sys_seconds now);

}  // namespace archway::identity

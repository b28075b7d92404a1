#pragma once
// What a route's `auth.jwt` asks of a token (DESIGN.md §2), in the form the
// verification core takes. The JWT filter builds one per snapshot from the
// typed policy; the core keeps no copy.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "proxy/identity/jws_algorithm.h"

namespace archway::identity {

struct JwtPolicy {
  // iss must equal this exactly; an empty issuer matches no token (fail
  // closed: the typed policy requires one).
  std::string issuer;
  // aud (a string or an array of strings) must hold one of these; empty:
  // aud is not checked (as Envoy's jwt_authn).
  std::vector<std::string> audiences;
  // Every one must be among the token's scopes (scope and scp together),
  // else insufficient_scope.
  std::vector<std::string> required_scopes;
  // Tolerance for exp, nbf and iat against the caller's clock.
  std::chrono::seconds clock_skew{60};
  // Longer tokens are refused before any decoding.
  size_t max_token_bytes = 16 * 1024;
  // Algorithms a token may use; empty: every one a key of the set verifies.
  std::vector<JwsAlgorithm> algorithms;
};

}  // namespace archway::identity

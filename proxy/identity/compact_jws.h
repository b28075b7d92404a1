#pragma once
// The structure and protected header of a compact JWS (RFC 7515 §7.1),
// checked before any key is chosen. The payload is only decoded and parsed
// once a signature holds (jwt_verifier.cc), so unsigned JSON never reaches
// the claims code.
//
// Header rules (RFC 8725): alg must name an algorithm we verify (exact,
// case-sensitive: "none" in any spelling is alg_not_allowed); kid, if
// present, a string; crit, if present, fails (we implement no extension);
// b64 other than true fails (RFC 7797 unencoded payloads are refused); typ,
// if present, a JWT type; cty fails (no nested JWTs); zip or enc (JWE)
// fail. jku, x5u, jwk, x5c and x5t are never read: only configured keys
// verify, so a key the token names is ignored, not fetched or trusted.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/identity/jws_algorithm.h"
#include "proxy/identity/jwt_failure.h"

namespace archway::identity {

struct CompactJws {
  JwsAlgorithm alg = JwsAlgorithm::kRS256;
  std::optional<std::string> kid;
  std::string_view signing_input;  // header.payload, into the token
  std::string payload;             // decoded; parsed only once a signature holds
  std::string signature;           // decoded
};

// Views in the result point into `token`, which must outlive it.
[[nodiscard]] JwtResult<CompactJws> parse_compact_jws(std::string_view token, size_t max_bytes);

// RFC 7515 §4.1.9 / RFC 8725 §3.11: "JWT" or "at+jwt" (RFC 9068), compared
// case-insensitively, with or without the "application/" prefix.
[[nodiscard]] bool is_jwt_type(std::string_view typ);

}  // namespace archway::identity

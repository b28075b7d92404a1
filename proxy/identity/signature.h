#pragma once
// The one signature check of the JWS path: verify_jwt calls it for each
// candidate key, and the Wycheproof test drives it over every vector, so the
// vectors test exactly what a request runs.

#include <string_view>

#include "proxy/identity/jwk.h"
#include "proxy/identity/jws_algorithm.h"

namespace archway::identity {

// True only if `signature` is `alg`'s signature of `signing_input` under
// `key`. False as well when the key may not verify `alg` (Jwk::verifies), so
// a caller cannot confuse algorithms by mistake. Per algorithm: RSASSA-PKCS1
// v1.5 with the signature exactly the modulus length; RSASSA-PSS with MGF1
// of the same hash and a salt of the hash's length; ECDSA in r‖s form only
// (ecdsa_p1363.h); Ed25519; HMAC compared in constant time, tag of the full
// hash length. Thread-safe: reads the key only.
[[nodiscard]] bool verify_signature(JwsAlgorithm alg, const Jwk& key,
                                    std::string_view signing_input, std::string_view signature);

}  // namespace archway::identity

#pragma once
// ECDSA signatures in the JWS form (RFC 7518 §3.4): r and s as big-endian
// integers of exactly the curve's length, concatenated (IEEE P1363). We check
// the form and the range ourselves before OpenSSL sees a signature, because
// OpenSSL's verifier takes DER and would accept what a DER round trip makes
// of a malformed input: exact length only (never DER, never a short or
// padded r‖s), and 0 < r < n, 0 < s < n for the curve order n.

#include <string>
#include <string_view>

#include "proxy/identity/jws_algorithm.h"

namespace archway::identity {

// The DER ECDSA-Sig-Value OpenSSL verifies, or an empty string when
// `signature` is not a valid r‖s for `curve` (kEcP256/kEcP384/kEcP521).
[[nodiscard]] std::string p1363_to_der(KeyFamily curve, std::string_view signature);

// The curve order n, big-endian, of the curve's field length (for tests).
[[nodiscard]] std::string_view curve_order(KeyFamily curve);

}  // namespace archway::identity

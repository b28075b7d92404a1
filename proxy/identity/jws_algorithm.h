#pragma once
// The JWS algorithms Archway verifies (RFC 7518 §3, RFC 8037 for EdDSA).
// "none" and every other name are absent on purpose: parse_jws_algorithm
// compares exactly (JWS names are case-sensitive), so "None" or "nOnE" can
// never map to an algorithm.

#include <cstddef>
#include <optional>
#include <string_view>

namespace archway::identity {

enum class JwsAlgorithm {
  kRS256,
  kRS384,
  kRS512,
  kPS256,
  kPS384,
  kPS512,
  kES256,
  kES384,
  kES512,
  kEdDSA,  // Ed25519 only
  kHS256,
  kHS384,
  kHS512,
};

enum class KeyFamily { kRsa, kEcP256, kEcP384, kEcP521, kEd25519, kHmac };

[[nodiscard]] std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name);
[[nodiscard]] std::string_view jws_algorithm_name(JwsAlgorithm alg);

// The only kind of key that may verify `alg`: RFC 8725 §3.1, the key decides.
[[nodiscard]] KeyFamily key_family_for(JwsAlgorithm alg);

// Output length of the algorithm's hash in bytes (SHA-256: 32 …); for
// EdDSA, 0 (Ed25519 hashes internally).
[[nodiscard]] size_t hash_bytes(JwsAlgorithm alg);

}  // namespace archway::identity

#pragma once
// One verification key read from a JWK (RFC 7517, RFC 7518 §6, RFC 8037):
// RSA (n, e; modulus of 2048 to 16384 bits), EC P-256/P-384/P-521 (x, y of
// the curve's exact length, the point checked to be on the curve), OKP
// Ed25519 (x), and oct (k) only when the caller reads a key set declared as
// HMAC (a Secret, never a public JWKS URI).
//
// A Jwk is immutable once parsed; verification only reads it, so one key set
// may be shared by every worker (OpenSSL 3 allows concurrent use of one
// EVP_PKEY for verification).

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "proxy/identity/jws_algorithm.h"
#include "proxy/identity/openssl_ptr.h"

namespace archway::identity {

// HMAC key bytes, wiped when released.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();
  [[nodiscard]] const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

struct Jwk {
  std::string kid;                  // empty when the JWK has none
  std::string kty;                  // "RSA", "EC", "OKP" or "oct"
  std::string crv;                  // EC and OKP only
  std::optional<JwsAlgorithm> alg;  // when the JWK names one, the only one it verifies
  KeyFamily family = KeyFamily::kRsa;
  OpenSslPtr<EVP_PKEY> public_key;  // every family but HMAC
  SecretBytes hmac_secret;          // HMAC only

  // RFC 8725 §3.1: true only if this key may verify `token_alg`: its family
  // is the algorithm's, its own alg (if any) is the same, and an HMAC secret
  // is at least as long as the hash (RFC 7518 §3.2).
  [[nodiscard]] bool verifies(JwsAlgorithm token_alg) const;
};

// How parse_jwk judged one member of a key set.
struct JwkParse {
  std::optional<Jwk> key;    // set when usable
  std::string reason;        // why not, when key is empty
  bool refuses_set = false;  // the JWK holds private key material
};

enum class KeySource {
  kPublicJwks,  // fetched or configured JWKS: oct keys are skipped
  kHmacSecret,  // a Secret declared as HMAC: oct keys allowed
};

[[nodiscard]] JwkParse parse_jwk(const nlohmann::json& jwk, KeySource source);

}  // namespace archway::identity

#pragma once
// A JWK Set (RFC 7517 §5) parsed once, when it is fetched or read from a
// Secret, into immutable verification keys. Keys Archway cannot use (an
// unknown kty or crv, use "enc", an RSA modulus under 2048 bits, an EC point
// off its curve, an oct key outside an HMAC set) are skipped with a reason,
// so one odd key never hides the others. A key with private members refuses
// the whole set: the issuer has published a signing key, so nothing it signs
// can be trusted until that is fixed.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "proxy/identity/jwk.h"

namespace archway::identity {

struct JwksLimits {
  size_t max_bytes = 64 * 1024;  // public sets in the wild are a few KiB
  size_t max_keys = 32;          // bounds the signature checks a kid-less token costs
};

struct SkippedKey {
  size_t index = 0;  // position in "keys"
  std::string kid;
  std::string reason;
};

class JwkSet {
 public:
  // Errors: over a limit, not a strict JSON object with a "keys" array, or a
  // key with private members. Config-time only, never on the request path.
  [[nodiscard]] static Result<JwkSet> parse(std::string_view json, KeySource source,
                                            const JwksLimits& limits = {});

  [[nodiscard]] const std::vector<Jwk>& keys() const { return keys_; }
  [[nodiscard]] const std::vector<SkippedKey>& skipped() const { return skipped_; }

 private:
  std::vector<Jwk> keys_;
  std::vector<SkippedKey> skipped_;
};

}  // namespace archway::identity

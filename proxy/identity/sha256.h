#pragma once
// SHA-256 of a secret the proxy must compare or cache without keeping it:
// an API key, an opaque access token. The digest is what is stored; the
// input is never copied.

#include <array>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace archway::identity {

using Sha256Digest = std::array<unsigned char, 32>;

[[nodiscard]] Sha256Digest sha256(std::string_view data);

// SHA-256 on the request path. OpenSSL 3 resolves `EVP_sha256()` anew on
// every use (a lock and a provider lookup: about a tenth of a short digest's
// cost); this holds the algorithm fetched once. Own one per object that
// hashes per request (a cache, a policy), not a global; const and
// thread-safe. A digest that cannot be made (allocation failure) is all
// zero, which matches nothing stored.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  // The digest of `first` followed by `second`.
  [[nodiscard]] Sha256Digest digest(std::string_view first, std::string_view second = {}) const;

 private:
  EVP_MD* md_;
};

// Lower-case hex, as the snapshot carries an API key's digest.
[[nodiscard]] std::string sha256_hex(std::string_view data);

// 64 hex digits (either case) → the digest; nullopt for anything else.
[[nodiscard]] std::optional<Sha256Digest> sha256_from_hex(std::string_view hex);

// For unordered containers keyed by a digest: its first bytes are already
// uniformly distributed, so they are the hash.
struct Sha256DigestHash {
  size_t operator()(const Sha256Digest& digest) const noexcept {
    size_t h = 0;
    std::memcpy(&h, digest.data(), sizeof h);
    return h;
  }
};

}  // namespace archway::identity

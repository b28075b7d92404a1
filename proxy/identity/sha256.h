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

namespace archway::identity {

using Sha256Digest = std::array<unsigned char, 32>;

[[nodiscard]] Sha256Digest sha256(std::string_view data);

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

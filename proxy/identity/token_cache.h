#pragma once
// Verified tokens, per process (docs/auth.md "Verified-token cache"): a
// token seen again costs one SHA-256 and a lookup instead of a signature
// check. The key is a digest of the route policy's identity and the token,
// never the token itself, so a token verified for one policy (issuer,
// audiences, keys, scopes) never answers for another. Entries end at the
// token's expiry or their maximum age, whichever comes first; a full shard
// drops expired entries, then arbitrary ones. Sharded locks: workers are
// threads and a lookup holds one shard's mutex for a hash-map probe.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proxy/identity/sha256.h"

namespace archway::identity {

using TokenDigest = std::array<uint8_t, 32>;

// SHA-256 over (policy_id, token); `policy_id` is fixed-size per policy
// (itself a digest), so no two (policy, token) pairs share an input. Fetches
// the algorithm on each call: the request path uses
// VerifiedTokenCache::digest, which gives the same bytes.
[[nodiscard]] TokenDigest token_digest(std::string_view policy_id, std::string_view token);
// SHA-256 of `text`, raw bytes: a policy's identity from its canonical form.
[[nodiscard]] std::string sha256_bytes(std::string_view text);

// What the JWT filter needs of a token it verified.
struct TokenVerdict {
  bool scopes_ok = true;  // false: the token is valid but the route's scopes are missing (403)
  // One per forwardClaims entry, in order; nullopt: the claim gives no header.
  std::vector<std::optional<std::string>> forwarded;
  // The `sub` claim as the request's identity (FilterContext::identity);
  // "" when the token has none that renders as a header value.
  std::string subject;
};

class VerifiedTokenCache {
 public:
  using Time = std::chrono::sys_seconds;
  static constexpr size_t kShards = 16;

  explicit VerifiedTokenCache(size_t max_entries = 65536) : per_shard_(max_entries / kShards + 1) {}
  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  // token_digest's value, with the algorithm fetched once (sha256.h).
  [[nodiscard]] TokenDigest digest(std::string_view policy_id, std::string_view token) const {
    return hasher_.digest(policy_id, token);
  }
  // The verdict, or null when absent or no longer valid at `now`.
  [[nodiscard]] std::shared_ptr<const TokenVerdict> find(const TokenDigest& key, Time now) const;
  // Kept until `valid_until` (exclusive).
  void insert(const TokenDigest& key, std::shared_ptr<const TokenVerdict> verdict, Time valid_until,
              Time now);
  [[nodiscard]] size_t size() const;

 private:
  struct DigestHash {
    size_t operator()(const TokenDigest& d) const {
      size_t h = 0;
      for (size_t i = 0; i < sizeof h; ++i) h = (h << 8) | d[i];
      return h;  // already uniformly distributed
    }
  };
  struct Entry {
    std::shared_ptr<const TokenVerdict> verdict;
    Time valid_until;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<TokenDigest, Entry, DigestHash> entries;
  };
  [[nodiscard]] Shard& shard(const TokenDigest& key) const { return shards_[key[31] % kShards]; }

  const Sha256Hasher hasher_;
  const size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace archway::identity

#pragma once
// Verified tokens, per process (docs/auth.md "Verified-token cache"): a
// token seen again costs one keyed hash, a lookup and a comparison instead
// of a signature check. An entry belongs to one route policy (issuer,
// audiences, keys, scopes): a token verified for one policy never answers
// for another. Entries end at the token's expiry or their maximum age,
// whichever comes first; a full shard drops expired entries, then arbitrary
// ones. Sharded locks: workers are threads and a lookup holds one shard's
// mutex for a hash-map probe.
//
// Why not a SHA-256 of (policy, token) as the key, as before: on the hit
// path it was most of the JWT filter's cost (a 1 KiB token is ~18,000
// instructions of SHA-256 in software; docs/benchmarks.md). A keyed
// SipHash-2-4 (siphash.h) picks the slot at a tenth of that; the entry keeps
// the token's bytes and a hit compares them in constant time, so equality
// is exact (no collision can pass a token for another, whatever its
// probability), and the comparison's time does not depend on where two
// tokens first differ. The price is memory: an entry holds its token (about
// 1 KiB for a typical JWT), within the same entry bound as before.

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

#include "proxy/identity/siphash.h"

namespace archway::identity {

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

  // One policy's view of the cache: made once per compiled filter, it holds
  // the policy's identity and the hash key derived for it, so that a lookup
  // hashes the token alone. Two policies get unrelated keys: the same token
  // lands in unrelated slots.
  class Policy {
   public:
    // The token's last kHashedTail bytes and its length, not all of it: only
    // a verified token is ever inserted and a hit compares every byte, so the
    // hash only has to spread tokens over the slots, and a compact JWS ends
    // in its signature (86 base64url characters for ES256 and EdDSA, 342
    // for RS256), which differs between any two tokens an issuer signed. A
    // whole 1 KiB token was ~2,500 instructions of SipHash per hit
    // (docs/benchmarks.md); the tail is ~300. An attacker cannot add
    // entries, so colliding tails cost a miss at worst, never a false hit.
    static constexpr size_t kHashedTail = 64;
    [[nodiscard]] uint64_t hash(std::string_view token) const {
      const std::string_view tail =
          token.size() > kHashedTail ? token.substr(token.size() - kHashedTail) : token;
      return siphash24(key_, tail) ^ (token.size() * 0x9e3779b97f4a7c15ull);
    }
    [[nodiscard]] const std::string& id() const { return id_; }

   private:
    friend class VerifiedTokenCache;
    Policy(std::string id, SipHashKey key) : id_(std::move(id)), key_(key) {}
    std::string id_;
    SipHashKey key_;
  };

  explicit VerifiedTokenCache(size_t max_entries = 65536)
      : per_shard_(max_entries / kShards + 1), secret_(random_siphash_key()) {}
  VerifiedTokenCache(const VerifiedTokenCache&) = delete;
  VerifiedTokenCache& operator=(const VerifiedTokenCache&) = delete;

  // `policy_id`: any bytes that name the policy (a digest of its canonical
  // form); equal ids share entries.
  [[nodiscard]] Policy policy(std::string_view policy_id) const;

  // The verdict on `token` under `policy`, or null when absent or no longer
  // valid at `now`. `hash` is policy.hash(token), passed so that a caller
  // that looks up and then inserts hashes once.
  [[nodiscard]] std::shared_ptr<const TokenVerdict> find(const Policy& policy,
                                                         std::string_view token, uint64_t hash,
                                                         Time now) const;
  [[nodiscard]] std::shared_ptr<const TokenVerdict> find(const Policy& policy,
                                                         std::string_view token, Time now) const {
    return find(policy, token, policy.hash(token), now);
  }
  // Kept until `valid_until` (exclusive); replaces what the slot held.
  void insert(const Policy& policy, std::string_view token,
              std::shared_ptr<const TokenVerdict> verdict, Time valid_until, Time now);
  [[nodiscard]] size_t size() const;

 private:
  struct IdentityHash {
    size_t operator()(uint64_t h) const { return static_cast<size_t>(h); }  // already keyed
  };
  struct Entry {
    std::string policy_id;
    std::string token;
    std::shared_ptr<const TokenVerdict> verdict;
    Time valid_until;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, Entry, IdentityHash> entries;
  };
  // The hash's top bits pick the shard, its low bits the bucket inside it.
  [[nodiscard]] Shard& shard(uint64_t hash) const { return shards_[(hash >> 60) % kShards]; }

  const size_t per_shard_;
  const SipHashKey secret_;  // per cache: what each policy's key derives from
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace archway::identity

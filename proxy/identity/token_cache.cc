#include "proxy/identity/token_cache.h"

#include <cstring>

#include "proxy/identity/sha256.h"

namespace archway::identity {
namespace {

// Constant time in the bytes' content (the lengths are not secret): every
// word is compared whatever the others hold. A word at a time, where
// CRYPTO_memcmp goes byte by byte: a JWT is hundreds of bytes, and this runs
// on every cache hit.
bool same_bytes(const std::string& stored, std::string_view given) {
  if (stored.size() != given.size()) return false;
  const size_t n = given.size();
  uint64_t diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t a;
    uint64_t b;
    std::memcpy(&a, stored.data() + i, 8);
    std::memcpy(&b, given.data() + i, 8);
    diff |= a ^ b;
  }
  for (; i < n; ++i) diff |= static_cast<uint8_t>(stored[i] ^ given[i]);
  return diff == 0;
}

}  // namespace

std::string sha256_bytes(std::string_view text) {
  const Sha256Digest digest = sha256(text);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

VerifiedTokenCache::Policy VerifiedTokenCache::policy(std::string_view policy_id) const {
  // The policy's key: the cache's secret hashed with the policy's id, two
  // ways. Unpredictable without the secret, like the secret itself.
  const SipHashKey key{siphash24(secret_, policy_id),
                       siphash24(SipHashKey{secret_.k1, secret_.k0}, policy_id)};
  return Policy(std::string(policy_id), key);
}

std::shared_ptr<const TokenVerdict> VerifiedTokenCache::find(const Policy& policy,
                                                             std::string_view token, uint64_t hash,
                                                             Time now) const {
  Shard& s = shard(hash);
  std::lock_guard lock(s.mu);
  const auto it = s.entries.find(hash);
  if (it == s.entries.end()) return nullptr;
  const Entry& e = it->second;
  if (now >= e.valid_until || !same_bytes(e.token, token) || e.policy_id != policy.id()) {
    return nullptr;
  }
  return e.verdict;
}

void VerifiedTokenCache::insert(const Policy& policy, std::string_view token,
                                std::shared_ptr<const TokenVerdict> verdict, Time valid_until,
                                Time now) {
  if (now >= valid_until) return;
  const uint64_t hash = policy.hash(token);
  Shard& s = shard(hash);
  std::lock_guard lock(s.mu);
  if (s.entries.size() >= per_shard_ && !s.entries.contains(hash)) {
    std::erase_if(s.entries, [now](const auto& e) { return now >= e.second.valid_until; });
    // Still full: drop one arbitrary entry (a hash map's first is as good as
    // any; the cost is one more signature check for its token).
    if (s.entries.size() >= per_shard_) s.entries.erase(s.entries.begin());
  }
  s.entries.insert_or_assign(
      hash, Entry{policy.id(), std::string(token), std::move(verdict), valid_until});
}

size_t VerifiedTokenCache::size() const {
  size_t n = 0;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.entries.size();
  }
  return n;
}

}  // namespace archway::identity

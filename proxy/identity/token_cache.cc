#include "proxy/identity/token_cache.h"

#include <openssl/evp.h>

namespace archway::identity {

TokenDigest token_digest(std::string_view policy_id, std::string_view token) {
  return Sha256Hasher().digest(policy_id, token);
}

std::string sha256_bytes(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::shared_ptr<const TokenVerdict> VerifiedTokenCache::find(const TokenDigest& key,
                                                             Time now) const {
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  const auto it = s.entries.find(key);
  if (it == s.entries.end() || now >= it->second.valid_until) return nullptr;
  return it->second.verdict;
}

void VerifiedTokenCache::insert(const TokenDigest& key, std::shared_ptr<const TokenVerdict> verdict,
                                Time valid_until, Time now) {
  if (now >= valid_until) return;
  Shard& s = shard(key);
  std::lock_guard lock(s.mu);
  if (s.entries.size() >= per_shard_ && !s.entries.contains(key)) {
    std::erase_if(s.entries, [now](const auto& e) { return now >= e.second.valid_until; });
    // Still full: drop one arbitrary entry (a hash map's first is as good as
    // any; the cost is one more signature check for its token).
    if (s.entries.size() >= per_shard_) s.entries.erase(s.entries.begin());
  }
  s.entries.insert_or_assign(key, Entry{std::move(verdict), valid_until});
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

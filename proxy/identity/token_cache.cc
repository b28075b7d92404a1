#include "proxy/identity/token_cache.h"

#include <openssl/evp.h>

#include "proxy/identity/openssl_ptr.h"

namespace archway::identity {

TokenDigest token_digest(std::string_view policy_id, std::string_view token) {
  TokenDigest out{};
  const OpenSslPtr<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  unsigned int len = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx.get(), policy_id.data(), policy_id.size()) == 1 &&
                  EVP_DigestUpdate(ctx.get(), token.data(), token.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1;
  // Only allocation failure gets here; an all-zero key that nothing was
  // stored under would only make a miss, but make it explicit.
  if (!ok) out.fill(0);
  return out;
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

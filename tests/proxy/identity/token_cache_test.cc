// The verified-token cache: keyed by (policy, token) digests, bounded by
// each entry's validity and by size.

#include "proxy/identity/token_cache.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace archway::identity {
namespace {

using std::chrono::seconds;
const VerifiedTokenCache::Time t0{seconds(1'700'000'000)};

std::shared_ptr<const TokenVerdict> verdict(bool scopes_ok) {
  auto v = std::make_shared<TokenVerdict>();
  v->scopes_ok = scopes_ok;
  return v;
}

TEST(VerifiedTokenCache, TheSameTokenUnderAnotherPolicyIsAnotherKey) {
  const std::string route_a = sha256_bytes("policy a");
  const std::string route_b = sha256_bytes("policy b");
  EXPECT_NE(token_digest(route_a, "token"), token_digest(route_b, "token"));
  EXPECT_EQ(token_digest(route_a, "token"), token_digest(route_a, "token"));
  VerifiedTokenCache cache;
  cache.insert(token_digest(route_a, "token"), verdict(true), t0 + seconds(60), t0);
  EXPECT_NE(cache.find(token_digest(route_a, "token"), t0), nullptr);
  EXPECT_EQ(cache.find(token_digest(route_b, "token"), t0), nullptr);
}

TEST(VerifiedTokenCache, AnEntryEndsWithItsValidity) {
  VerifiedTokenCache cache;
  const TokenDigest key = token_digest(sha256_bytes("p"), "t");
  cache.insert(key, verdict(false), t0 + seconds(10), t0);
  ASSERT_NE(cache.find(key, t0 + seconds(9)), nullptr);
  EXPECT_FALSE(cache.find(key, t0 + seconds(9))->scopes_ok);
  EXPECT_EQ(cache.find(key, t0 + seconds(10)), nullptr);
  cache.insert(key, verdict(true), t0, t0);  // already invalid: not kept
  EXPECT_EQ(cache.find(key, t0 - seconds(1))->scopes_ok, false);
}

TEST(VerifiedTokenCache, SizeIsBounded) {
  VerifiedTokenCache cache(/*max_entries=*/160);
  const std::string policy = sha256_bytes("p");
  for (int i = 0; i < 10000; ++i) {
    cache.insert(token_digest(policy, std::to_string(i)), verdict(true), t0 + seconds(60), t0);
  }
  EXPECT_LE(cache.size(), 160u + VerifiedTokenCache::kShards);
  // The newest entry is always kept.
  EXPECT_NE(cache.find(token_digest(policy, "9999"), t0), nullptr);
}

// The request path's digest (the algorithm fetched once, a reused context)
// is the same SHA-256 as the one-off one, call after call, on any thread.
TEST(VerifiedTokenCache, ItsDigestIsTheTokenDigest) {
  const VerifiedTokenCache cache;
  const std::string policy = sha256_bytes("p");
  for (const std::string& token :
       std::vector<std::string>{"", "t", std::string(1000, 'x'), std::string("a\0b", 3)}) {
    EXPECT_EQ(cache.digest(policy, token), token_digest(policy, token));
    EXPECT_EQ(cache.digest(policy, token), cache.digest(policy, token));
  }
  TokenDigest other_thread{};
  std::thread([&] { other_thread = cache.digest(policy, "t"); }).join();
  EXPECT_EQ(other_thread, token_digest(policy, "t"));
  // A known vector: SHA-256("abc") split across the two parts.
  const TokenDigest abc = cache.digest("a", "bc");
  EXPECT_EQ(abc[0], 0xba);
  EXPECT_EQ(abc[31], 0xad);
}

}  // namespace
}  // namespace archway::identity

// The verified-token cache: entries per (policy, token), found by a keyed
// hash and confirmed by the token's bytes, bounded by each entry's
// validity and by size.

#include "proxy/identity/token_cache.h"

#include <gtest/gtest.h>

#include <string>
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
  VerifiedTokenCache cache;
  const auto route_a = cache.policy(sha256_bytes("policy a"));
  const auto route_b = cache.policy(sha256_bytes("policy b"));
  EXPECT_NE(route_a.hash("token"), route_b.hash("token"));
  EXPECT_EQ(route_a.hash("token"), route_a.hash("token"));
  cache.insert(route_a, "token", verdict(true), t0 + seconds(60), t0);
  EXPECT_NE(cache.find(route_a, "token", t0), nullptr);
  EXPECT_EQ(cache.find(route_b, "token", t0), nullptr);
  // The same policy id, asked for again (a new snapshot's filter): the same entries.
  EXPECT_NE(cache.find(cache.policy(sha256_bytes("policy a")), "token", t0), nullptr);
}

TEST(VerifiedTokenCache, AnEntryEndsWithItsValidity) {
  VerifiedTokenCache cache;
  const auto p = cache.policy(sha256_bytes("p"));
  cache.insert(p, "t", verdict(false), t0 + seconds(10), t0);
  ASSERT_NE(cache.find(p, "t", t0 + seconds(9)), nullptr);
  EXPECT_FALSE(cache.find(p, "t", t0 + seconds(9))->scopes_ok);
  EXPECT_EQ(cache.find(p, "t", t0 + seconds(10)), nullptr);
  cache.insert(p, "t", verdict(true), t0, t0);  // already invalid: not kept
  EXPECT_EQ(cache.find(p, "t", t0 - seconds(1))->scopes_ok, false);
}

TEST(VerifiedTokenCache, SizeIsBounded) {
  VerifiedTokenCache cache(/*max_entries=*/160);
  const auto p = cache.policy(sha256_bytes("p"));
  for (int i = 0; i < 10000; ++i) {
    cache.insert(p, std::to_string(i), verdict(true), t0 + seconds(60), t0);
  }
  EXPECT_LE(cache.size(), 160u + VerifiedTokenCache::kShards);
  // The newest entry is always kept.
  EXPECT_NE(cache.find(p, "9999", t0), nullptr);
}

// A lookup is answered only by the very bytes that were verified: the
// hash picks the slot, the bytes decide. The caller's hash is what is
// looked up, so a wrong one (as a collision would be) reaches the stored
// entry and must still miss.
TEST(VerifiedTokenCache, OnlyTheSameBytesFindAnEntryEvenWhenTheSlotMatches) {
  VerifiedTokenCache cache;
  const auto p = cache.policy(sha256_bytes("p"));
  const std::string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";
  cache.insert(p, token, verdict(true), t0 + seconds(60), t0);
  const uint64_t slot = p.hash(token);
  EXPECT_NE(cache.find(p, token, slot, t0), nullptr);
  std::string tampered = token;
  tampered[10] ^= 1;  // another payload, the same signature
  const std::vector<std::string> others = {tampered, token + "x", token.substr(0, token.size() - 1),
                                           "", std::string(token.size(), 'A')};
  for (const std::string& other : others) {
    EXPECT_EQ(cache.find(p, other, slot, t0), nullptr) << other;  // forced into the slot
    EXPECT_EQ(cache.find(p, other, t0), nullptr) << other;
  }
  // Another policy's lookup forced into this slot misses too.
  EXPECT_EQ(cache.find(cache.policy(sha256_bytes("q")), token, slot, t0), nullptr);
}

// Two caches (two processes) key their slots differently: a hash seen from
// outside says nothing about another proxy's slots.
TEST(VerifiedTokenCache, TheHashIsKeyedPerCache) {
  const VerifiedTokenCache a;
  const VerifiedTokenCache b;
  const std::string id = sha256_bytes("p");
  int equal = 0;
  for (int i = 0; i < 64; ++i) {
    const std::string token = "token-" + std::to_string(i);
    equal += a.policy(id).hash(token) == b.policy(id).hash(token) ? 1 : 0;
  }
  EXPECT_EQ(equal, 0);
}

TEST(VerifiedTokenCache, LookupsFromManyThreadsAgree) {
  VerifiedTokenCache cache;
  const auto p = cache.policy(sha256_bytes("p"));
  for (int i = 0; i < 100; ++i) {
    cache.insert(p, "t" + std::to_string(i), verdict(i % 2 == 0), t0 + seconds(60), t0);
  }
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 100; ++i) {
          const auto v = cache.find(p, "t" + std::to_string(i), t0);
          if (!v || v->scopes_ok != (i % 2 == 0)) ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace archway::identity

// Global limits through leases: replicas spend slices of one bucket, and
// together never let through more than the bucket gives, while almost every
// decision is local.

#include "proxy/ratelimit/lease.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

#include "proxy/ratelimit/gcra.h"

namespace archway::ratelimit {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kSecond = 1'000 * kMs;
constexpr int64_t kStart = 1'796'000'000 * kSecond;

TEST(TakeMany, GrantsWhatTheBucketHoldsAndTakesBackWhatReturns) {
  const GcraLimit limit = GcraLimit::from(100, 10s, 0);
  int64_t tat = 0;
  BulkGrant g = take_many(tat, kStart, limit, 60, 0);
  EXPECT_EQ(g.granted, 60u);
  EXPECT_EQ(g.available, 40u);
  g = take_many(tat, kStart, limit, 60, 0);
  EXPECT_EQ(g.granted, 40u);
  EXPECT_EQ(g.available, 0u);
  g = take_many(tat, kStart, limit, 1, 0);
  EXPECT_EQ(g.granted, 0u);
  EXPECT_EQ(g.retry_after_ns, 100 * kMs);  // a token every 100 ms
  // Returning 30 unspent tokens makes them available again, at once.
  g = take_many(tat, kStart, limit, 50, 30);
  EXPECT_EQ(g.granted, 30u);
}

TEST(TakeMany, ReturnsNeverOverfillTheBucket) {
  const GcraLimit limit = GcraLimit::from(10, 10s, 0);
  int64_t tat = 0;
  (void)take_many(tat, kStart, limit, 5, 0);
  const BulkGrant g = take_many(tat, kStart, limit, 100, 1000);
  EXPECT_EQ(g.granted, 10u);
}

TEST(Lease, SpendsItsSliceLocallyThenAsksAgain) {
  const LeasePolicy policy;
  Lease lease;
  ASSERT_EQ(lease.spend(kStart), Lease::Verdict::kAskRedis);
  EXPECT_EQ(lease.want(policy, kStart), policy.first_slice);
  lease.on_grant({.granted = 8, .available = 1000}, kStart, policy);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(lease.spend(kStart + i), Lease::Verdict::kAllow);
  EXPECT_EQ(lease.spend(kStart + 10), Lease::Verdict::kAskRedis);
}

TEST(Lease, AnEndedSliceHandsBackWhatItDidNotSpend) {
  const LeasePolicy policy;
  Lease lease;
  lease.on_grant({.granted = 8, .available = 1000}, kStart, policy);
  (void)lease.spend(kStart);
  EXPECT_EQ(lease.take_give_back(kStart + 1), 0u);  // still running
  const int64_t later = kStart + policy.lease_ns;
  EXPECT_EQ(lease.spend(later), Lease::Verdict::kAskRedis);
  EXPECT_EQ(lease.take_give_back(later), 6u);
  EXPECT_EQ(lease.tokens(), 0u);
}

TEST(Lease, AnEmptyBucketIsDeniedLocallyUntilItsRetryAfter) {
  const LeasePolicy policy;
  Lease lease;
  lease.on_grant({.granted = 0, .available = 0, .retry_after_ns = 50 * kMs}, kStart, policy);
  EXPECT_EQ(lease.spend(kStart + 49 * kMs), Lease::Verdict::kDeny);
  EXPECT_EQ(lease.spend(kStart + 50 * kMs), Lease::Verdict::kAskRedis);
}

// Other replicas may hand tokens back long before the next one refills:
// a long retry-after is told to the client but believed only briefly.
TEST(Lease, ALongRetryAfterIsBelievedForAtMostMaxDeny) {
  const LeasePolicy policy;
  Lease lease;
  lease.on_grant({.granted = 0, .available = 0, .retry_after_ns = 12 * kSecond}, kStart, policy);
  EXPECT_EQ(lease.retry_at_ns(), kStart + 12 * kSecond);
  EXPECT_EQ(lease.spend(kStart + policy.max_deny_ns - 1), Lease::Verdict::kDeny);
  EXPECT_EQ(lease.spend(kStart + policy.max_deny_ns), Lease::Verdict::kAskRedis);
}

TEST(Lease, SlicesFollowTheRateAndShrinkAsTheBucketEmpties) {
  const LeasePolicy policy;
  Lease lease;
  lease.on_grant({.granted = 8, .available = 1'000'000}, kStart, policy);
  // 8 tokens in 10 ms: 800 per second, so about 1,600 asked for next.
  for (int i = 0; i < 7; ++i) (void)lease.spend(kStart + i * kMs);
  const uint64_t busy = lease.want(policy, kStart + 10 * kMs);
  EXPECT_GT(busy, 1000u);
  EXPECT_LT(busy, 2000u);
  lease.on_grant({.granted = 1, .available = 12}, kStart + 10 * kMs, policy);
  EXPECT_LE(lease.want(policy, kStart + 11 * kMs), 3u);  // a quarter of 12
  lease.on_grant({.granted = 1, .available = 0}, kStart + 12 * kMs, policy);
  EXPECT_EQ(lease.want(policy, kStart + 13 * kMs), 1u);
}

// Three replicas, load skewed 80/10/10, one shared bucket (the C++ twin of
// the Redis script): never more than the bucket's own arithmetic allows and
// at least 98 % of it. Once the bucket is empty every token is Redis's
// decision, so round trips follow the refill rate (100/s here), not the
// request rate (300/s).
TEST(LeaseSimulation, ReplicasNeverExceedTheBucketAndRarelyAskRedis) {
  const GcraLimit limit = GcraLimit::from(6000, 60s, 0);  // 100/s refill, 6,000 at once
  const LeasePolicy policy;
  int64_t redis_tat = 0;
  int64_t exact_tat = 0;  // one bucket seeing every request: the exact answer
  std::array<Lease, 3> replicas;
  std::mt19937 rng(7);
  std::discrete_distribution<int> pick({80, 10, 10});
  uint64_t allowed = 0;
  uint64_t exact_allowed = 0;
  uint64_t redis_calls = 0;
  uint64_t requests = 0;
  // 300 requests per second for 60 s: three times the steady rate.
  for (int64_t t = kStart; t < kStart + 60 * kSecond; t += kSecond / 300) {
    ++requests;
    exact_allowed += take(exact_tat, t, limit).allowed;
    Lease& lease = replicas[pick(rng)];
    Lease::Verdict v = lease.spend(t);
    if (v == Lease::Verdict::kAskRedis) {
      ++redis_calls;
      const uint64_t want = lease.want(policy, t);
      const uint64_t back = lease.take_give_back(t);
      const BulkGrant g = take_many(redis_tat, t, limit, want, back);
      lease.on_grant({g.granted, g.available, g.retry_after_ns}, t, policy);
      v = g.granted > 0 ? Lease::Verdict::kAllow : Lease::Verdict::kDeny;
    }
    allowed += v == Lease::Verdict::kAllow;
  }
  EXPECT_LE(allowed, exact_allowed);
  EXPECT_GE(allowed, exact_allowed * 98 / 100);
  const uint64_t refilled = 60 * 100;
  EXPECT_LT(redis_calls, 2 * refilled) << redis_calls << " calls for " << requests;
}

// Below the limit (1,000 requests a second against 60,000 a minute, the
// bench's goal): at least 99 % of decisions made without Redis.
TEST(LeaseSimulation, UnderTheLimitNinetyNinePercentAreLocal) {
  const GcraLimit limit = GcraLimit::from(60'000, 60s, 0);
  const LeasePolicy policy;
  int64_t redis_tat = 0;
  Lease lease;
  uint64_t redis_calls = 0;
  uint64_t allowed = 0;
  uint64_t requests = 0;
  for (int64_t t = kStart; t < kStart + 30 * kSecond; t += kMs) {
    ++requests;
    Lease::Verdict v = lease.spend(t);
    if (v == Lease::Verdict::kAskRedis) {
      ++redis_calls;
      const BulkGrant g =
          take_many(redis_tat, t, limit, lease.want(policy, t), lease.take_give_back(t));
      lease.on_grant({g.granted, g.available, g.retry_after_ns}, t, policy);
      v = g.granted > 0 ? Lease::Verdict::kAllow : Lease::Verdict::kDeny;
    }
    allowed += v == Lease::Verdict::kAllow;
  }
  EXPECT_EQ(allowed, requests);
  EXPECT_LE(redis_calls * 100, requests);
}

}  // namespace
}  // namespace archway::ratelimit

// GCRA as a token bucket: what passes at once, what refills, what a client
// is told, and the edges (clock steps, huge periods, tiny emission times).

#include "proxy/ratelimit/gcra.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace archway::ratelimit {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'796'000'000 * kSecond;  // a wall-clock instant in 2026

struct Step {
  int64_t at_ns;  // offset from kStart
  int count;      // requests sent at that instant
  int allowed;    // how many of them pass
};

struct Case {
  std::string name;
  uint64_t requests;
  std::chrono::nanoseconds period;
  uint64_t burst;
  std::vector<Step> steps;
};

class GcraTable : public ::testing::TestWithParam<Case> {};

TEST_P(GcraTable, LetsThroughWhatTheBucketHolds) {
  const Case& c = GetParam();
  const GcraLimit limit = GcraLimit::from(c.requests, c.period, c.burst);
  int64_t tat = 0;
  for (const Step& step : c.steps) {
    int allowed = 0;
    for (int i = 0; i < step.count; ++i) allowed += take(tat, kStart + step.at_ns, limit).allowed;
    EXPECT_EQ(allowed, step.allowed) << c.name << " at +" << step.at_ns << " ns";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Buckets, GcraTable,
    ::testing::Values(
        // N per period pass at once from a full bucket, then nothing until a
        // token's worth of time has gone by.
        Case{"ten_per_minute", 10, 60s, 0, {{0, 15, 10}, {5 * kSecond, 3, 0}, {6 * kSecond, 3, 1}}},
        Case{"burst_adds_to_capacity", 10, 60s, 5, {{0, 20, 15}, {6 * kSecond - 1, 1, 0}}},
        // Refill is continuous: half a period gives back half the tokens.
        Case{"half_period_refills_half", 100, 10s, 0, {{0, 100, 100}, {5 * kSecond, 80, 50}}},
        // An idle key is a full bucket again, never more than full.
        Case{"idle_never_overfills", 5, 1s, 0, {{0, 5, 5}, {3600 * kSecond, 10, 5}}},
        Case{"one_per_second", 1, 1s, 0, {{0, 2, 1}, {kSecond - 1, 1, 0}, {kSecond, 1, 1}}},
        // A rate that does not divide the period: 7 at once, then a token
        // every 60/7 s (8,571,428,571 ns, rounded down).
        Case{"seven_per_minute",
             7,
             60s,
             0,
             {{0, 8, 7}, {8'571'428'570, 1, 0}, {8'571'428'571, 2, 1}}},
        // Quotas: a month of 1,000 requests refills 1 every ~43 minutes.
        Case{"monthly_quota",
             1000,
             30 * 24h,
             0,
             {{0, 1001, 1000}, {42 * 60 * kSecond, 1, 0}, {44 * 60 * kSecond, 1, 1}}},
        // Huge: a billion per millisecond (emission rounds to 1 ns).
        Case{"sub_nanosecond_emission", 1'000'000'000, 1ms, 0, {{0, 1000, 1000}}},
        // Huge: one request per 999,999 hours with a billion burst, ticking
        // coarser than a nanosecond, still lets a burst through and then
        // refills one token per 999,999 hours.
        Case{"huge_period_and_burst", 1, 999'999h, 1'000'000'000, {{0, 100, 100}}},
        Case{"huge_period_refills_nothing_in_a_year",
             1,
             999'999h,
             1,
             {{0, 3, 2}, {365LL * 86400 * kSecond, 1, 0}}}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(Gcra, RemainingCountsDownAndResetIsTheTimeToFull) {
  const GcraLimit limit = GcraLimit::from(4, 4s, 0);
  int64_t tat = 0;
  Decision d = take(tat, kStart, limit);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 3u);
  EXPECT_EQ(d.reset_ns, kSecond);
  take(tat, kStart, limit);
  take(tat, kStart, limit);
  d = take(tat, kStart, limit);
  EXPECT_EQ(d.remaining, 0u);
  EXPECT_EQ(d.reset_ns, 4 * kSecond);
}

TEST(Gcra, DeniedRequestIsToldWhenOneTokenIsBackAndTakesNothing) {
  const GcraLimit limit = GcraLimit::from(2, 10s, 0);
  int64_t tat = 0;
  take(tat, kStart, limit);
  take(tat, kStart, limit);
  const int64_t tat_when_empty = tat;
  const Decision d = take(tat, kStart + 2 * kSecond, limit);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_ns, 3 * kSecond);  // a token every 5 s, 2 s already gone
  EXPECT_EQ(d.reset_ns, 8 * kSecond);
  EXPECT_EQ(tat, tat_when_empty);
  EXPECT_TRUE(take(tat, kStart + 5 * kSecond, limit).allowed);
}

TEST(Gcra, ClockSteppingBackBlocksAtMostOneWindowNotTheJump) {
  const GcraLimit limit = GcraLimit::from(10, 10s, 0);
  int64_t tat = 0;
  for (int i = 0; i < 10; ++i) take(tat, kStart, limit);
  // The clock steps back an hour: without the clamp the key would be
  // blocked for an hour and ten seconds.
  const int64_t back = kStart - 3600 * kSecond;
  EXPECT_FALSE(take(tat, back, limit).allowed);
  EXPECT_TRUE(take(tat, back + kSecond, limit).allowed);
}

TEST(Gcra, ClockSteppingForwardRefillsToFullOnly) {
  const GcraLimit limit = GcraLimit::from(3, 3s, 0);
  int64_t tat = 0;
  for (int i = 0; i < 3; ++i) take(tat, kStart, limit);
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += take(tat, kStart + 86400 * kSecond, limit).allowed;
  EXPECT_EQ(allowed, 3);
}

TEST(Gcra, HugeLimitsTickCoarserButKeepTheirCapacity) {
  const GcraLimit limit = GcraLimit::from(1, std::chrono::nanoseconds::max(), 1'000'000'000);
  EXPECT_GT(limit.unit_ns, 1);
  EXPECT_LE(limit.window, GcraLimit::kMaxTicks);
  EXPECT_EQ(limit.window / limit.emission, 1'000'000'001);
  EXPECT_EQ(GcraLimit::from(60'000, 60s, 100).unit_ns, 1);
}

TEST(Gcra, IsFullOnlyOnceTheDebtIsPaid) {
  const GcraLimit limit = GcraLimit::from(1, 1s, 0);
  int64_t tat = 0;
  EXPECT_TRUE(is_full(tat, kStart, limit));
  take(tat, kStart, limit);
  EXPECT_FALSE(is_full(tat, kStart + kSecond - 1, limit));
  EXPECT_TRUE(is_full(tat, kStart + kSecond, limit));
}

}  // namespace
}  // namespace archway::ratelimit

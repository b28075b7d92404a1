#include <gtest/gtest.h>

#include "proxy/client/h2_glitch_limiter.h"

namespace archway::client {
namespace {

using namespace std::chrono_literals;

TEST(GlitchLimiter, AllowsBurstThenTrips) {
  const auto t0 = GlitchLimiter::Clock::time_point{};
  GlitchLimiter limiter(10, 1, t0);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(limiter.record(t0)) << i;
  EXPECT_TRUE(limiter.record(t0));
}

TEST(GlitchLimiter, RefillsOverTime) {
  auto t = GlitchLimiter::Clock::time_point{};
  GlitchLimiter limiter(5, 10, t);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.record(t));
  t += 1s;  // +10 tokens, capped at the burst of 5
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.record(t));
  EXPECT_TRUE(limiter.record(t));
}

TEST(GlitchLimiter, SteadyRateBelowLimitNeverTrips) {
  auto t = GlitchLimiter::Clock::time_point{};
  GlitchLimiter limiter(20, 100, t);
  for (int i = 0; i < 10000; ++i) {
    t += 20ms;  // 50/s against a 100/s budget
    ASSERT_FALSE(limiter.record(t)) << i;
  }
}

TEST(GlitchLimiter, WeightsCount) {
  const auto t0 = GlitchLimiter::Clock::time_point{};
  GlitchLimiter limiter(1, 0, t0);
  EXPECT_FALSE(limiter.record(t0, 0.5));
  EXPECT_FALSE(limiter.record(t0, 0.5));
  EXPECT_TRUE(limiter.record(t0, 0.5));
}

}  // namespace
}  // namespace archway::client

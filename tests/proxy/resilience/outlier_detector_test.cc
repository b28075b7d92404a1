#include "proxy/resilience/outlier_detector.h"

#include <gtest/gtest.h>

#include <chrono>

namespace archway::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A fake clock: any fixed point well after the epoch.
const OutlierDetector::TimePoint kT0 = OutlierDetector::TimePoint{} + std::chrono::hours(1);

OutlierSettings settings(uint32_t consecutive, milliseconds base, uint32_t percent) {
  return OutlierSettings{consecutive, base, percent};
}

void fail(OutlierDetector& d, size_t i, int times, OutlierDetector::TimePoint now) {
  for (int k = 0; k < times; ++k) d.record(i, true, now);
}

TEST(OutlierDetector, EjectsAfterConsecutiveFailuresOnly) {
  OutlierDetector d(2, settings(3, seconds(10), 50));
  fail(d, 0, 2, kT0);
  d.record(0, false, kT0);  // a success breaks the run
  fail(d, 0, 2, kT0);
  EXPECT_FALSE(d.ejected(0, kT0));
  EXPECT_TRUE(d.record(0, true, kT0));
  EXPECT_TRUE(d.ejected(0, kT0));
  EXPECT_EQ(d.ejections(), 1u);
  EXPECT_EQ(d.ejected_count(kT0), 1u);
}

TEST(OutlierDetector, SkipsEjectedEndpointsUntilTheEjectionEnds) {
  OutlierDetector d(2, settings(1, seconds(10), 50));
  ASSERT_TRUE(d.record(0, true, kT0));
  EXPECT_EQ(d.choose(0, kT0), 1u);
  EXPECT_EQ(d.choose(1, kT0), 1u);
  EXPECT_EQ(d.choose(0, kT0 + seconds(9)), 1u);
  EXPECT_EQ(d.choose(0, kT0 + seconds(10)), 0u);  // back after baseEjectionTime
  EXPECT_FALSE(d.ejected(0, kT0 + seconds(10)));
}

struct EjectionTimeCase {
  int ejection;  // the how-manyth ejection (1-based)
  seconds expected;
};

TEST(OutlierDetector, EjectionTimeIsBaseTimesEjectionsCapped) {
  // Each ejection follows right after the previous one ends, with no
  // healthy period between them: the multiplier keeps growing.
  const EjectionTimeCase cases[] = {
      {1, seconds(100)}, {2, seconds(200)}, {3, seconds(300)}, {4, seconds(300)}};
  OutlierDetector d(3, settings(1, seconds(100), 50));
  auto now = kT0;
  for (const auto& c : cases) {
    ASSERT_TRUE(d.record(0, true, now)) << c.ejection;
    EXPECT_TRUE(d.ejected(0, now + c.expected - milliseconds(1))) << c.ejection;
    EXPECT_FALSE(d.ejected(0, now + c.expected)) << c.ejection;
    now += c.expected;
  }
}

TEST(OutlierDetector, MultiplierResetsAfterABaseEjectionTimeOfGoodAnswers) {
  OutlierDetector d(3, settings(1, seconds(10), 50));
  ASSERT_TRUE(d.record(0, true, kT0));                // 10 s
  ASSERT_TRUE(d.record(0, true, kT0 + seconds(10)));  // 20 s
  const auto back = kT0 + seconds(30);
  d.record(0, false, back + seconds(5));  // too soon: still counts
  ASSERT_TRUE(d.record(0, true, back + seconds(6)));
  EXPECT_TRUE(d.ejected(0, back + seconds(6) + seconds(29)));  // 30 s: third
  const auto back2 = back + seconds(36);
  d.record(0, false, back2 + seconds(10));  // a full base time healthy
  ASSERT_TRUE(d.record(0, true, back2 + seconds(11)));
  EXPECT_FALSE(d.ejected(0, back2 + seconds(21)));  // 10 s again
}

struct PercentCase {
  size_t endpoints;
  uint32_t percent;
  size_t max_ejected;
};

TEST(OutlierDetector, EjectsAtMostMaxEjectionPercentButAlwaysOne) {
  const PercentCase cases[] = {
      {2, 50, 1}, {4, 50, 2}, {10, 10, 1}, {3, 10, 1}, {4, 100, 4}, {4, 0, 0}, {5, 40, 2},
  };
  for (const auto& c : cases) {
    OutlierDetector d(c.endpoints, settings(1, seconds(10), c.percent));
    for (size_t i = 0; i < c.endpoints; ++i) d.record(i, true, kT0);
    EXPECT_EQ(d.ejected_count(kT0), c.max_ejected)
        << c.endpoints << " endpoints, " << c.percent << "%";
  }
}

TEST(OutlierDetector, PanicBalancesOverAllWhenFewerThanHalfAreHealthy) {
  OutlierDetector d(4, settings(1, seconds(10), 100));
  d.record(0, true, kT0);
  d.record(1, true, kT0);
  EXPECT_EQ(d.choose(0, kT0), 2u);  // 2 of 4 healthy: not yet panic
  d.record(2, true, kT0);
  EXPECT_EQ(d.ejected_count(kT0), 3u);
  EXPECT_EQ(d.choose(0, kT0), 0u);  // 1 of 4 healthy: panic, the pick stands
  EXPECT_EQ(d.choose(1, kT0), 1u);
}

TEST(OutlierDetector, FailuresOfAnEjectedEndpointDoNotEjectItAgain) {
  OutlierDetector d(2, settings(1, seconds(10), 50));
  ASSERT_TRUE(d.record(0, true, kT0));
  EXPECT_FALSE(d.record(0, true, kT0 + seconds(1)));  // answers still in flight
  EXPECT_EQ(d.ejections(), 1u);
  EXPECT_FALSE(d.ejected(0, kT0 + seconds(10)));
}

TEST(OutlierDetector, ZeroConsecutiveDisablesDetection) {
  OutlierDetector d(2, settings(0, seconds(10), 100));
  fail(d, 0, 100, kT0);
  EXPECT_FALSE(d.ejected(0, kT0));
  EXPECT_EQ(d.choose(0, kT0), 0u);
}

}  // namespace
}  // namespace archway::resilience

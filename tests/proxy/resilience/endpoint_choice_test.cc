// The endpoint a request takes once the balancer picked one: the pick when
// usable, else the next usable one; an endpoint is unusable when ejected
// by outlier detection or unhealthy by its health check; below 50 % usable
// (both mechanisms counted together) the pick stands (panic).

#include "proxy/resilience/endpoint_choice.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace archway::resilience {
namespace {

using Clock = std::chrono::steady_clock;

struct Case {
  const char* name;
  size_t endpoints;
  std::vector<size_t> ejected;    // by outlier detection
  std::vector<size_t> unhealthy;  // by the health check
  size_t picked;
  size_t want;
};

class EndpointChoiceTest : public ::testing::TestWithParam<Case> {};

TEST_P(EndpointChoiceTest, SkipsUnusableEndpointsUnlessInPanic) {
  const Case& c = GetParam();
  const Clock::time_point now{std::chrono::seconds(1000)};
  // Outlier: one failure ejects, any share may be ejected.
  OutlierDetector outlier(c.endpoints, OutlierSettings{1, std::chrono::seconds(30), 100});
  for (size_t i : c.ejected) ASSERT_TRUE(outlier.record(i, true, now)) << i;
  HealthState health(c.endpoints, {1, 1, "p"});
  for (size_t i : c.unhealthy) health.record(i, ProbeResult::kFailure);
  EXPECT_EQ(choose_endpoint(c.picked, c.endpoints, &outlier, &health, now), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EndpointChoiceTest,
    ::testing::Values(Case{"all_usable", 4, {}, {}, 2, 2},
                      Case{"unhealthy_pick_moves_on", 4, {}, {2}, 2, 3},
                      Case{"wraps_around", 4, {}, {3}, 3, 0},
                      Case{"ejected_pick_moves_on", 4, {1}, {}, 1, 2},
                      Case{"skips_both_kinds", 4, {2}, {1}, 1, 3},
                      Case{"half_usable_is_not_panic", 4, {0}, {1}, 0, 2},
                      Case{"below_half_is_panic", 4, {0}, {1, 2}, 1, 1},
                      Case{"all_unhealthy_is_panic", 3, {}, {0, 1, 2}, 1, 1},
                      Case{"one_endpoint_unhealthy_is_panic", 1, {}, {0}, 0, 0},
                      Case{"same_endpoint_counted_once", 4, {1}, {1}, 1, 2}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

TEST(EndpointChoice, WithoutEitherMechanismThePickStands) {
  const Clock::time_point now{std::chrono::seconds(1000)};
  EXPECT_EQ(choose_endpoint(3, 4, nullptr, nullptr, now), 3u);
  HealthState health(4, {1, 1, "p"});
  health.record(3, ProbeResult::kTimeout);
  EXPECT_EQ(choose_endpoint(3, 4, nullptr, &health, now), 0u);
  // A recovered endpoint takes its requests again.
  health.record(3, ProbeResult::kSuccess);
  EXPECT_EQ(choose_endpoint(3, 4, nullptr, &health, now), 3u);
}

TEST(EndpointChoice, AnEjectionThatEndedIsUsableAgain) {
  OutlierDetector outlier(2, OutlierSettings{1, std::chrono::seconds(30), 100});
  const Clock::time_point now{std::chrono::seconds(1000)};
  ASSERT_TRUE(outlier.record(0, true, now));
  EXPECT_EQ(choose_endpoint(0, 2, &outlier, nullptr, now), 1u);
  EXPECT_EQ(choose_endpoint(0, 2, &outlier, nullptr, now + std::chrono::seconds(31)), 0u);
}

}  // namespace
}  // namespace archway::resilience

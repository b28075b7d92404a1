// The health state machine of active health checks: endpoints start
// healthy, go unhealthy after unhealthyThreshold failed probes in a row
// (a timeout is a failure), come back after healthyThreshold passed probes
// in a row, and a probe that agrees with the current health ends any run.

#include "proxy/resilience/health_state.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace archway::resilience {
namespace {

using Result = ProbeResult;
using T = HealthState::Transition;
constexpr Result S = Result::kSuccess;
constexpr Result F = Result::kFailure;
constexpr Result O = Result::kTimeout;

struct Case {
  const char* name;
  uint32_t unhealthy_threshold;
  uint32_t healthy_threshold;
  std::vector<Result> probes;
  std::vector<bool> healthy_after;  // after each probe
};

class HealthStateTest : public ::testing::TestWithParam<Case> {};

TEST_P(HealthStateTest, FollowsTheThresholds) {
  const Case& c = GetParam();
  HealthState state(2, {c.unhealthy_threshold, c.healthy_threshold, "p"});
  ASSERT_EQ(c.probes.size(), c.healthy_after.size());
  for (size_t i = 0; i < c.probes.size(); ++i) {
    const bool before = state.healthy(0);
    const T change = state.record(0, c.probes[i]);
    EXPECT_EQ(state.healthy(0), c.healthy_after[i]) << "after probe " << i;
    const T want = before == c.healthy_after[i] ? T::kNone
                   : c.healthy_after[i]         ? T::kBecameHealthy
                                                : T::kBecameUnhealthy;
    EXPECT_EQ(change, want) << "probe " << i;
    EXPECT_EQ(state.unhealthy_count(), c.healthy_after[i] ? 0u : 1u);
    EXPECT_TRUE(state.healthy(1));  // the other endpoint is never touched
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HealthStateTest,
    ::testing::Values(
        Case{"starts_healthy_and_stays", 3, 2, {S, S, S}, {true, true, true}},
        Case{"three_failures", 3, 2, {F, F, F}, {true, true, false}},
        Case{"timeouts_are_failures", 3, 2, {O, F, O}, {true, true, false}},
        Case{"a_success_ends_the_run",
             3,
             2,
             {F, F, S, F, F, F},
             {true, true, true, true, true, false}},
        Case{"two_successes_bring_it_back", 2, 2, {F, F, S, S}, {true, false, false, true}},
        Case{"a_failure_ends_the_recovery",
             2,
             2,
             {F, F, S, F, S, S},
             {true, false, false, false, false, true}},
        Case{"threshold_one", 1, 1, {F, S, F, S}, {false, true, false, true}}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

TEST(HealthState, CountsProbesByResult) {
  HealthState state(1, {3, 2, "p"});
  for (Result r : {S, S, F, O, O}) state.record(0, r);
  EXPECT_EQ(state.probes(S), 2u);
  EXPECT_EQ(state.probes(F), 1u);
  EXPECT_EQ(state.probes(O), 2u);
  EXPECT_STREQ(probe_result_name(O), "timeout");
}

}  // namespace
}  // namespace archway::resilience

// circuitBreaker in the snapshot: every field optional, at least one set,
// each within the CRD's range.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class CircuitBreakerDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(CircuitBreakerDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<CircuitBreaker>(GetParam().json, "cb"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CircuitBreakerDecodeTest,
    ::testing::Values(
        PolicyCase{"one_field", R"({"maxRequests": 1024})", ""},
        PolicyCase{"full",
                   R"({"maxConnections": 1024, "maxPendingRequests": 0, "maxRequests": 1,
                       "consecutive5xx": 5, "baseEjectionTime": "30s",
                       "maxEjectionPercent": 50})",
                   ""},
        PolicyCase{"empty", R"({})",
                   "cb: must set at least one of maxConnections, maxPendingRequests, "
                   "maxRequests, consecutive5xx, baseEjectionTime, maxEjectionPercent"},
        PolicyCase{"unknown_field", R"({"maxRetries": 3})", "cb.maxRetries: unknown field"},
        PolicyCase{"wrong_type", R"({"maxConnections": 1.5})",
                   "cb.maxConnections: expected integer"},
        PolicyCase{"max_connections_zero", R"({"maxConnections": 0})",
                   "cb.maxConnections: must be between 1 and 1000000"},
        PolicyCase{"max_pending_too_big", R"({"maxPendingRequests": 1000001})",
                   "cb.maxPendingRequests: must be between 0 and 1000000"},
        PolicyCase{"max_requests_zero", R"({"maxRequests": 0})",
                   "cb.maxRequests: must be between 1 and 1000000"},
        PolicyCase{"consecutive_too_big", R"({"consecutive5xx": 1001})",
                   "cb.consecutive5xx: must be between 0 and 1000"},
        PolicyCase{"ejection_percent_too_big", R"({"maxEjectionPercent": 101})",
                   "cb.maxEjectionPercent: must be between 0 and 100"},
        PolicyCase{"ejection_time_wrong_type", R"({"baseEjectionTime": 30})",
                   "cb.baseEjectionTime: expected duration string"}),
    testing::case_name);

TEST(CircuitBreakerDecode, RoundTripsThroughCanonicalJson) {
  CircuitBreaker breaker;
  breaker.max_pending_requests = 0;
  breaker.consecutive_5xx = 5;
  breaker.base_ejection_time = std::chrono::milliseconds(30000);
  testing::expect_round_trip(breaker);
  CircuitBreaker full{1, 2, 3, 4, std::chrono::milliseconds(1), 5};
  testing::expect_round_trip(full);
}

}  // namespace
}  // namespace archway::config

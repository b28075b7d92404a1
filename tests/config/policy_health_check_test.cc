// healthCheck of a cluster (and of an APIRoute rule): the path that goes on
// the probe's request line, the interval's bounds, a timeout shorter than
// the interval, thresholds, Host and expected statuses; the defaults and
// the timeout that follows a short interval.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class HealthCheckDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(HealthCheckDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<HealthCheck>(GetParam().json, "hc"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, HealthCheckDecodeTest,
    ::testing::Values(
        PolicyCase{"path_only", R"({"path": "/healthz"})", ""},
        PolicyCase{"everything",
                   R"({"path": "/healthz?deep=1", "interval": "5s", "timeout": "1s",
                       "unhealthyThreshold": 3, "healthyThreshold": 2, "host": "Orders.Local",
                       "expectedStatuses": [200, 204]})",
                   ""},
        PolicyCase{"shortest_interval", R"({"path": "/", "interval": "100ms"})", ""},
        PolicyCase{"no_path", R"({"interval": "5s"})", "hc.path: is required"},
        PolicyCase{"relative_path", R"({"path": "healthz"})", "hc.path: must be an absolute path"},
        PolicyCase{"path_with_space", R"({"path": "/a b"})",
                   "hc.path: must not contain whitespace or control characters"},
        PolicyCase{"path_with_crlf", R"({"path": "/a\r\nX-Evil: 1"})",
                   "hc.path: must not contain whitespace or control characters"},
        PolicyCase{"interval_too_short", R"({"path": "/", "interval": "99ms"})",
                   "hc.interval: must be between 100ms and 1h"},
        PolicyCase{"interval_too_long", R"({"path": "/", "interval": "2h"})",
                   "hc.interval: must be between 100ms and 1h"},
        PolicyCase{"interval_type", R"({"path": "/", "interval": 5})",
                   "hc.interval: expected duration string"},
        PolicyCase{"timeout_equals_interval", R"({"path": "/", "interval": "1s", "timeout": "1s"})",
                   "hc.timeout: must be shorter than interval"},
        PolicyCase{"timeout_zero", R"({"path": "/", "timeout": "0s"})",
                   "hc.timeout: must be greater than 0"},
        PolicyCase{"unhealthy_zero", R"({"path": "/", "unhealthyThreshold": 0})",
                   "hc.unhealthyThreshold: must be between 1 and 100"},
        PolicyCase{"healthy_too_many", R"({"path": "/", "healthyThreshold": 101})",
                   "hc.healthyThreshold: must be between 1 and 100"},
        PolicyCase{"bad_host", R"({"path": "/", "host": "a b"})",
                   "hc.host: invalid host name \"a b\""},
        PolicyCase{"status_out_of_range", R"({"path": "/", "expectedStatuses": [99]})",
                   "hc.expectedStatuses[0]: must be between 100 and 599"},
        PolicyCase{"status_duplicate", R"({"path": "/", "expectedStatuses": [200, 200]})",
                   "hc.expectedStatuses[1]: duplicate value 200"},
        PolicyCase{"unknown_field", R"({"path": "/", "port": 8081})", "hc.port: unknown field"}),
    testing::case_name);

TEST(HealthCheckDecode, DefaultsAndHostLowerCased) {
  auto parsed =
      parse_policy<HealthCheck>(Json::parse(R"({"path": "/h", "host": "Orders.Local"})"), "hc");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->interval, std::chrono::milliseconds(10000));
  EXPECT_EQ(parsed->effective_timeout(), std::chrono::milliseconds(1000));
  EXPECT_EQ(parsed->unhealthy_threshold, 3u);
  EXPECT_EQ(parsed->healthy_threshold, 2u);
  EXPECT_EQ(parsed->host, "orders.local");
}

// An unset timeout is 1 s, but at most half the interval, so a short
// interval needs no timeout of its own.
TEST(HealthCheckDecode, UnsetTimeoutFollowsAShortInterval) {
  HealthCheck check{"/", std::chrono::milliseconds(500), std::nullopt, 3, 2, std::nullopt, {}};
  EXPECT_EQ(check.effective_timeout(), std::chrono::milliseconds(250));
  check.timeout = std::chrono::milliseconds(400);
  EXPECT_EQ(check.effective_timeout(), std::chrono::milliseconds(400));
}

TEST(HealthCheckDecode, ExpectedStatuses) {
  struct Case {
    std::vector<uint16_t> listed;
    uint16_t status;
    bool passes;
  } cases[] = {
      {{}, 200, true},         {{}, 204, true},    {{}, 302, true},  {{}, 399, true},
      {{}, 199, false},        {{}, 404, false},   {{}, 503, false}, {{200}, 204, false},
      {{200, 204}, 204, true}, {{503}, 503, true},
  };
  for (const auto& c : cases) {
    HealthCheck check;
    check.expected_statuses = c.listed;
    EXPECT_EQ(check.expected(c.status), c.passes) << c.status;
  }
}

TEST(HealthCheckDecode, RoundTripsThroughCanonicalJson) {
  testing::expect_round_trip(HealthCheck{
      "/healthz", std::chrono::milliseconds(10000), std::nullopt, 3, 2, std::nullopt, {}});
  testing::expect_round_trip(HealthCheck{"/h?x=1",
                                         std::chrono::milliseconds(500),
                                         std::chrono::milliseconds(200),
                                         1,
                                         5,
                                         std::string("orders.local"),
                                         {200, 204}});
}

}  // namespace
}  // namespace archway::config

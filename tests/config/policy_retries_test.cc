// retries in the snapshot: the CRD's schema, `on`/`retryOn` folded into one
// list, and the rule backoff.base <= backoff.max.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class RetriesDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(RetriesDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Retries>(GetParam().json, "r"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RetriesDecodeTest,
    ::testing::Values(
        PolicyCase{"minimal", R"({"attempts": 2})", ""},
        PolicyCase{"full",
                   R"({"attempts": 10, "on": ["reset", "5xx"],
                       "backoff": {"base": "10ms", "max": "1s"}, "budgetPercent": 100})",
                   ""},
        PolicyCase{"retry_on_alias", R"({"attempts": 1, "retryOn": ["gateway-error"]})", ""},
        PolicyCase{"attempts_required", R"({"on": ["reset"]})", "r.attempts: is required"},
        PolicyCase{"unknown_field", R"({"attempts": 1, "perTryTimeout": "1s"})",
                   "r.perTryTimeout: unknown field"},
        PolicyCase{"unknown_backoff_field", R"({"attempts": 1, "backoff": {"jitter": true}})",
                   "r.backoff.jitter: unknown field"},
        PolicyCase{"attempts_wrong_type", R"({"attempts": "2"})", "r.attempts: expected integer"},
        PolicyCase{"attempts_too_many", R"({"attempts": 11})",
                   "r.attempts: must be between 0 and 10"},
        PolicyCase{"attempts_negative", R"({"attempts": -1})",
                   "r.attempts: must be between 0 and 4294967295"},
        PolicyCase{"on_and_retry_on", R"({"attempts": 1, "on": ["reset"], "retryOn": ["5xx"]})",
                   "r.retryOn: set at most one of on and retryOn (they are the same field)"},
        PolicyCase{"on_unknown_value", R"({"attempts": 1, "on": ["reset", "timeout"]})",
                   "r.on[1]: must be one of connect-failure, refused-stream, reset, "
                   "gateway-error, 5xx"},
        PolicyCase{"on_wrong_type", R"({"attempts": 1, "on": "reset"})", "r.on: expected array"},
        PolicyCase{"on_duplicate", R"({"attempts": 1, "retryOn": ["5xx", "5xx"]})",
                   "r.retryOn[1]: duplicate value \"5xx\""},
        PolicyCase{"backoff_base_over_max", R"({"attempts": 1, "backoff": {"base": "300ms"}})",
                   "r.backoff.base: base must not be longer than max"},
        PolicyCase{"backoff_bad_duration", R"({"attempts": 1, "backoff": {"max": "-1s"}})",
                   "r.backoff.max: invalid duration \"-1s\": negative"},
        PolicyCase{"budget_over_100", R"({"attempts": 1, "budgetPercent": 101})",
                   "r.budgetPercent: must be between 0 and 100"},
        PolicyCase{"status_codes", R"({"attempts": 1, "statusCodes": [429, 500]})", ""},
        PolicyCase{"status_code_below_400", R"({"attempts": 1, "statusCodes": [429, 302]})",
                   "r.statusCodes[1]: must be between 400 and 599"},
        PolicyCase{"status_code_wrong_type", R"({"attempts": 1, "statusCodes": ["429"]})",
                   "r.statusCodes[0]: expected integer"},
        PolicyCase{"status_code_duplicate", R"({"attempts": 1, "statusCodes": [429, 429]})",
                   "r.statusCodes[1]: duplicate value 429"},
        PolicyCase{"status_codes_too_many",
                   R"({"attempts": 1, "statusCodes": [400, 401, 402, 403, 404, 405, 406, 407,
                       408, 409, 410, 411, 412, 413, 414, 415, 416]})",
                   "r.statusCodes: must have at most 16 entries"}),
    testing::case_name);

TEST(RetriesDecode, AppliesTheCrdDefaults) {
  auto retries = parse_policy<Retries>(Json::parse(R"({"attempts": 2})"), "r");
  ASSERT_TRUE(retries.ok());
  EXPECT_EQ(retries->retry_on,
            (std::vector<RetryOn>{RetryOn::kConnectFailure, RetryOn::kRefusedStream}));
  EXPECT_EQ(retries->backoff.base, std::chrono::milliseconds(25));
  EXPECT_EQ(retries->backoff.max, std::chrono::milliseconds(250));
  EXPECT_EQ(retries->budget_percent, 20u);
}

TEST(RetriesDecode, OnAndRetryOnAreOneNormalisedList) {
  auto on = parse_policy<Retries>(Json::parse(R"({"attempts": 1, "on": ["reset", "5xx"]})"), "r");
  auto retry_on =
      parse_policy<Retries>(Json::parse(R"({"attempts": 1, "retryOn": ["reset", "5xx"]})"), "r");
  ASSERT_TRUE(on.ok() && retry_on.ok());
  EXPECT_EQ(*on, *retry_on);
  EXPECT_EQ(on->retry_on, (std::vector<RetryOn>{RetryOn::kReset, RetryOn::k5xx}));
  EXPECT_EQ(to_json(*on).at("retryOn"), Json::parse(R"(["reset", "5xx"])"));
}

TEST(RetriesDecode, RoundTripsThroughCanonicalJson) {
  Retries retries;
  retries.attempts = 3;
  retries.retry_on = {RetryOn::kGatewayError, RetryOn::kReset};
  retries.backoff = {std::chrono::milliseconds(1500), std::chrono::milliseconds(90000)};
  retries.budget_percent = 0;
  testing::expect_round_trip(retries);
  retries.status_codes = {429, 503};
  testing::expect_round_trip(retries);
  testing::expect_round_trip(Retries{});
}

}  // namespace
}  // namespace archway::config

// rateLimit in the snapshot: the CRD's schema and CEL rules (header exactly
// when key is Header, period > 0).

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

class RateLimitDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(RateLimitDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<RateLimit>(GetParam().json, "rl"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RateLimitDecodeTest,
    ::testing::Values(
        PolicyCase{"minimal", R"({"requests": 60, "period": "1m"})", ""},
        PolicyCase{"by_header",
                   R"({"requests": 1, "period": "1s", "burst": 10, "key": "Header",
                       "header": "X-Tenant", "scope": "Global"})",
                   ""},
        PolicyCase{"requests_required", R"({"period": "1m"})", "rl.requests: is required"},
        PolicyCase{"period_required", R"({"requests": 1})", "rl.period: is required"},
        PolicyCase{"unknown_field", R"({"requests": 1, "period": "1m", "window": "1m"})",
                   "rl.window: unknown field"},
        PolicyCase{"requests_zero", R"({"requests": 0, "period": "1m"})",
                   "rl.requests: must be between 1 and 1000000000"},
        PolicyCase{"requests_wrong_type", R"({"requests": "60", "period": "1m"})",
                   "rl.requests: expected integer"},
        PolicyCase{"period_zero", R"({"requests": 1, "period": "0s"})",
                   "rl.period: period must be longer than 0s"},
        PolicyCase{"burst_too_big", R"({"requests": 1, "period": "1m", "burst": 1000000001})",
                   "rl.burst: must be between 0 and 1000000000"},
        PolicyCase{"key_unknown", R"({"requests": 1, "period": "1m", "key": "clientip"})",
                   "rl.key: must be one of ClientIP, APIKey, User, Header"},
        PolicyCase{"scope_unknown", R"({"requests": 1, "period": "1m", "scope": "Cluster"})",
                   "rl.scope: must be one of Local, Global"},
        PolicyCase{"fallback_and_headers",
                   R"({"requests": 1, "period": "1m", "scope": "Global", "fallback": "Deny",
                       "headers": "WhenLimited"})",
                   ""},
        PolicyCase{"fallback_unknown", R"({"requests": 1, "period": "1m", "fallback": "Open"})",
                   "rl.fallback: must be one of Local, Allow, Deny"},
        PolicyCase{"headers_unknown", R"({"requests": 1, "period": "1m", "headers": "Never"})",
                   "rl.headers: must be one of Always, WhenLimited"},
        PolicyCase{"header_missing", R"({"requests": 1, "period": "1m", "key": "Header"})",
                   "rl.header: header is required when key is Header"},
        PolicyCase{"header_without_key_header",
                   R"({"requests": 1, "period": "1m", "header": "x-tenant"})",
                   "rl.header: header is only allowed when key is Header"},
        PolicyCase{"header_not_token",
                   R"({"requests": 1, "period": "1m", "key": "Header", "header": "x:y"})",
                   "rl.header: invalid header name \"x:y\""}),
    testing::case_name);

TEST(RateLimitOnARoute, KeyingOnTheCallerNeedsAuthOnTheSameRule) {
  const auto check = [](const char* policies) {
    RoutePolicies p;
    Decoder d;
    decode(d, Json::parse(policies), "p", p);
    if (d.failed()) return d.error().to_string();
    const auto r = validate(p, "p", {});
    return r.ok() ? std::string() : r.error().to_string();
  };
  EXPECT_EQ(check(R"({"rateLimit": {"requests": 1, "period": "1m", "key": "APIKey"}})"),
            "p.rateLimit.key: APIKey needs auth.apiKey on the same rule");
  EXPECT_EQ(check(R"({"rateLimit": {"requests": 1, "period": "1m", "key": "User"}})"),
            "p.rateLimit.key: User needs auth on the same rule");
  EXPECT_EQ(check(R"({"rateLimit": {"requests": 1, "period": "1m", "key": "APIKey"},
                      "auth": {"jwt": {"issuer": "https://i", "audiences": ["a"],
                                       "jwksUri": "https://i/k"}}})"),
            "p.rateLimit.key: APIKey needs auth.apiKey on the same rule");
  EXPECT_EQ(check(R"({"rateLimit": {"requests": 1, "period": "1m", "key": "User"},
                      "auth": {"jwt": {"issuer": "https://i", "audiences": ["a"],
                                       "jwksUri": "https://i/k"}}})"),
            "");
}

TEST(RateLimitDecode, DefaultsAndLowerCasedHeader) {
  auto limit = parse_policy<RateLimit>(
      Json::parse(R"({"requests": 5, "period": "1m", "key": "Header", "header": "X-Tenant"})"),
      "rl");
  ASSERT_TRUE(limit.ok()) << limit.error().to_string();
  EXPECT_EQ(limit->header, "x-tenant");
  EXPECT_EQ(limit->burst, 0u);
  EXPECT_EQ(limit->scope, RateLimitScope::kLocal);
  EXPECT_EQ(limit->period, std::chrono::milliseconds(60000));
  EXPECT_EQ(limit->fallback, RateLimitFallback::kLocal);
  EXPECT_EQ(limit->headers, RateLimitHeaders::kAlways);
}

TEST(RateLimitDecode, RoundTripsThroughCanonicalJson) {
  RateLimit limit;
  limit.requests = 60;
  limit.period = std::chrono::milliseconds(90000);
  limit.burst = 10;
  limit.key = RateLimitKey::kApiKey;
  limit.scope = RateLimitScope::kGlobal;
  testing::expect_round_trip(limit);
  limit.key = RateLimitKey::kHeader;
  limit.header = "x-tenant";
  testing::expect_round_trip(limit);
}

}  // namespace
}  // namespace archway::config

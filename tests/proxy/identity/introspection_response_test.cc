// parse_introspection_response and check_introspection: what an RFC 7662
// answer may look like, and what the policy makes of it.

#include <gtest/gtest.h>

#include <string>

#include "proxy/identity/introspection_check.h"
#include "proxy/identity/introspection_response.h"

namespace archway::identity {
namespace {

using std::chrono::seconds;

struct ParseCase {
  std::string name;
  int status;
  std::string body;
  // nullopt: an active token is expected
  std::optional<IntrospectionFailure> failure;
};

class IntrospectionParseTest : public testing::TestWithParam<ParseCase> {};

TEST_P(IntrospectionParseTest, GivesTheExpectedOutcome) {
  const ParseCase& c = GetParam();
  const IntrospectionResult result = parse_introspection_response(c.status, c.body);
  if (c.failure) {
    ASSERT_FALSE(result.ok()) << c.body;
    EXPECT_EQ(failure_label(result.error()), failure_label(*c.failure));
  } else {
    ASSERT_TRUE(result.ok()) << failure_label(result.error());
  }
}

constexpr auto kInactive = IntrospectionFailure::kInactive;
constexpr auto kEndpointError = IntrospectionFailure::kEndpointError;

INSTANTIATE_TEST_SUITE_P(
    Answers, IntrospectionParseTest,
    testing::Values(
        ParseCase{"active_minimal", 200, R"({"active": true})", std::nullopt},
        ParseCase{"active_full", 200,
                  R"({"active": true, "scope": "a b", "aud": ["x", "y"], "exp": 1700000060,
                      "iat": 1700000000, "nbf": 1700000000, "sub": "u", "username": "n",
                      "client_id": "c", "iss": "https://id", "token_type": "Bearer",
                      "ext": {"tenant": 1}})",
                  std::nullopt},
        ParseCase{"aud_string", 200, R"({"active": true, "aud": "x"})", std::nullopt},
        ParseCase{"exp_fractional", 200, R"({"active": true, "exp": 1700000060.5})", std::nullopt},
        ParseCase{"inactive", 200, R"({"active": false})", kInactive},
        // §2.2: only active is meaningful for an inactive token; the rest is ignored.
        ParseCase{"inactive_with_junk", 200, R"({"active": false, "scope": 7, "exp": "x"})",
                  kInactive},
        ParseCase{"missing_active", 200, R"({"scope": "a"})", kEndpointError},
        ParseCase{"active_as_string", 200, R"({"active": "true"})", kEndpointError},
        ParseCase{"active_as_number", 200, R"({"active": 1})", kEndpointError},
        ParseCase{"active_null", 200, R"({"active": null})", kEndpointError},
        ParseCase{"active_twice", 200, R"({"active": false, "active": true})", kEndpointError},
        ParseCase{"scope_array", 200, R"({"active": true, "scope": ["a"]})", kEndpointError},
        ParseCase{"aud_number", 200, R"({"active": true, "aud": 5})", kEndpointError},
        ParseCase{"aud_array_mixed", 200, R"({"active": true, "aud": ["x", 5]})", kEndpointError},
        ParseCase{"exp_string", 200, R"({"active": true, "exp": "1700000060"})", kEndpointError},
        ParseCase{"iat_bool", 200, R"({"active": true, "iat": true})", kEndpointError},
        ParseCase{"exp_huge", 200, R"({"active": true, "exp": 1e300})", kEndpointError},
        ParseCase{"sub_number", 200, R"({"active": true, "sub": 42})", kEndpointError},
        ParseCase{"client_id_object", 200, R"({"active": true, "client_id": {}})", kEndpointError},
        ParseCase{"not_json", 200, "<html>Bad Gateway</html>", kEndpointError},
        ParseCase{"empty_body", 200, "", kEndpointError},
        ParseCase{"array", 200, R"([{"active": true}])", kEndpointError},
        ParseCase{"truncated", 200, R"({"active": true, "scope": "a)", kEndpointError},
        // An endpoint that refuses us is broken, not a verdict on the token.
        ParseCase{"unauthorized_client", 401, R"({"error": "invalid_client"})", kEndpointError},
        ParseCase{"server_error_with_active_body", 500, R"({"active": true})", kEndpointError},
        ParseCase{"redirect", 302, "", kEndpointError}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(IntrospectionParse, ReadsEveryMemberWeUse) {
  const auto result = parse_introspection_response(
      200, R"({"active": true, "scope": " orders:read  orders:write ", "aud": ["x", "y"],
               "exp": 1700000060, "iat": 1700000000, "nbf": 1699999990, "sub": "user-1",
               "username": "ann", "client_id": "app", "iss": "https://id", "tenant": 7})");
  ASSERT_TRUE(result.ok());
  const TokenIntrospection& t = result.value();
  EXPECT_EQ(t.scopes, (std::vector<std::string>{"orders:read", "orders:write"}));
  EXPECT_EQ(t.audiences, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(t.expires_at->time_since_epoch(), seconds(1700000060));
  EXPECT_EQ(t.issued_at->time_since_epoch(), seconds(1700000000));
  EXPECT_EQ(t.not_before->time_since_epoch(), seconds(1699999990));
  EXPECT_EQ(t.subject, "user-1");
  EXPECT_EQ(t.username, "ann");
  EXPECT_EQ(t.client_id, "app");
  EXPECT_EQ(t.issuer, "https://id");
  EXPECT_EQ(t.claim_as_header_value("tenant"), "7");
  EXPECT_EQ(t.claim_as_header_value("aud"), std::nullopt);
}

TEST(IntrospectionParse, AudAsStringIsOneAudience) {
  const auto result = parse_introspection_response(200, R"({"active": true, "aud": "orders"})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->audiences, (std::vector<std::string>{"orders"}));
}

const std::chrono::system_clock::time_point kNow{seconds(1'700'000'000)};

TokenIntrospection active(std::string json) {
  auto result = parse_introspection_response(200, json);
  EXPECT_TRUE(result.ok()) << json;
  return std::move(result).value();
}

IntrospectionPolicy policy() {
  IntrospectionPolicy p;
  p.required_scopes = {"orders:read"};
  p.clock_skew = seconds(30);
  return p;
}

std::string check(const TokenIntrospection& token, const IntrospectionPolicy& p) {
  const auto r = check_introspection(token, p, kNow);
  return r.ok() ? "ok" : std::string(failure_label(r.error()));
}

TEST(IntrospectionCheck, HonoursExpScopeAudAndTimes) {
  const IntrospectionPolicy p = policy();
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:read", "exp": 1700000060})"), p),
            "ok");
  // No exp: the endpoint said active, that stands.
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:read"})"), p), "ok");
  // Within the skew, then past it.
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:read", "exp": 1699999980})"), p),
            "ok");
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:read", "exp": 1699999970})"), p),
            "expired");
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:read", "nbf": 1700000031})"), p),
            "not_yet_valid");
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:read", "iat": 1700000031})"), p),
            "not_yet_valid");
  EXPECT_EQ(check(active(R"({"active": true, "scope": "orders:write"})"), p), "insufficient_scope");
  EXPECT_EQ(check(active(R"({"active": true})"), p), "insufficient_scope");
  IntrospectionPolicy with_aud = p;
  with_aud.audiences = {"orders"};
  EXPECT_EQ(
      check(active(R"({"active": true, "scope": "orders:read", "aud": ["billing"]})"), with_aud),
      "wrong_audience");
  EXPECT_EQ(
      check(active(R"({"active": true, "scope": "orders:read", "aud": ["billing", "orders"]})"),
            with_aud),
      "ok");
}

TEST(IntrospectionCheck, FailuresMapToRfc6750AndFailClosed) {
  EXPECT_EQ(http_status_for(IntrospectionFailure::kInactive), 401);
  EXPECT_EQ(bearer_error_code(IntrospectionFailure::kInactive), "invalid_token");
  EXPECT_EQ(http_status_for(IntrospectionFailure::kInsufficientScope), 403);
  EXPECT_EQ(bearer_error_code(IntrospectionFailure::kInsufficientScope), "insufficient_scope");
  EXPECT_EQ(http_status_for(IntrospectionFailure::kEndpointUnavailable), 503);
  EXPECT_EQ(http_status_for(IntrospectionFailure::kEndpointError), 503);
  EXPECT_EQ(bearer_error_code(IntrospectionFailure::kEndpointError), "");
}

TEST(IntrospectionCheck, BearerTokenSyntax) {
  EXPECT_TRUE(is_bearer_token_syntax("abc-._~+/XYZ09==", 64));
  EXPECT_FALSE(is_bearer_token_syntax("", 64));
  EXPECT_FALSE(is_bearer_token_syntax("==", 64));
  EXPECT_FALSE(is_bearer_token_syntax("a=b", 64));
  EXPECT_FALSE(is_bearer_token_syntax("a b", 64));
  EXPECT_FALSE(is_bearer_token_syntax("a&token=b", 64));
  EXPECT_FALSE(is_bearer_token_syntax(std::string(65, 'a'), 64));
}

}  // namespace
}  // namespace archway::identity

// check_claims on its own (no signature): scopes from scope and scp, the
// claims a filter may forward as headers, and the failure vocabulary.

#include <gtest/gtest.h>

#include "proxy/identity/claims.h"

namespace archway::identity {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1'700'000'000;
const std::chrono::sys_seconds kNowTime{std::chrono::seconds(kNow)};

JwtPolicy policy(std::vector<std::string> required_scopes) {
  JwtPolicy p;
  p.issuer = "https://id.example.com";
  p.audiences = {"orders"};
  p.required_scopes = std::move(required_scopes);
  return p;
}

json base() { return {{"iss", "https://id.example.com"}, {"aud", "orders"}, {"exp", kNow + 60}}; }

TEST(Claims, ScopeStringHoldsRequiredScopes) {
  json c = base();
  c["scope"] = "orders:read  orders:write";
  const auto result = check_claims(c, policy({"orders:read", "orders:write"}), kNowTime);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->scopes, (std::vector<std::string>{"orders:read", "orders:write"}));
}

TEST(Claims, ScpArrayHoldsRequiredScopes) {
  json c = base();
  c["scp"] = {"orders:read", 7, "orders:write"};
  EXPECT_TRUE(check_claims(c, policy({"orders:write"}), kNowTime).ok());
}

TEST(Claims, ScpStringAsSomeIssuersSendIt) {
  json c = base();
  c["scp"] = "orders:read orders:write";
  EXPECT_TRUE(check_claims(c, policy({"orders:write"}), kNowTime).ok());
}

TEST(Claims, MissingScopeIsInsufficientScopeNotInvalidToken) {
  json c = base();
  c["scope"] = "orders:read";
  const auto result = check_claims(c, policy({"orders:read", "orders:write"}), kNowTime);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure(), JwtFailure::kInsufficientScope);
  EXPECT_EQ(http_status_for(result.failure()), 403);
  EXPECT_EQ(bearer_error_code(result.failure()), "insufficient_scope");

  const auto none = check_claims(base(), policy({"orders:read"}), kNowTime);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.failure(), JwtFailure::kInsufficientScope);
  json prefix = base();
  prefix["scope"] = "orders:rea orders:readx";
  EXPECT_EQ(check_claims(prefix, policy({"orders:read"}), kNowTime).failure(),
            JwtFailure::kInsufficientScope);
}

TEST(Claims, InvalidTokenFailuresAre401WithInvalidToken) {
  for (const JwtFailure f : {JwtFailure::kMalformed, JwtFailure::kExpired,
                             JwtFailure::kBadSignature, JwtFailure::kWrongAudience}) {
    EXPECT_EQ(http_status_for(f), 401);
    EXPECT_EQ(bearer_error_code(f), "invalid_token");
  }
  EXPECT_EQ(failure_label(JwtFailure::kUnknownKey), "unknown_key");
  EXPECT_EQ(failure_label(JwtFailure::kAlgNotAllowed), "alg_not_allowed");
}

TEST(Claims, EmptyIssuerMatchesNoToken) {
  JwtPolicy p = policy({});
  p.issuer.clear();
  json c = base();
  c["iss"] = "";
  EXPECT_EQ(check_claims(c, p, kNowTime).failure(), JwtFailure::kWrongIssuer);
}

TEST(Claims, NoConfiguredAudienceSkipsTheAudCheck) {
  JwtPolicy p = policy({});
  p.audiences.clear();
  json c = base();
  c.erase("aud");
  EXPECT_TRUE(check_claims(c, p, kNowTime).ok());
}

TEST(Claims, ScalarClaimsBecomeHeaderValuesStructuresDoNot) {
  json c = base();
  c["sub"] = "user-1";
  c["admin"] = true;
  c["level"] = 3;
  c["ratio"] = 0.5;
  c["groups"] = {"a", "b"};
  c["address"] = {{"city", "Paris"}};
  c["nothing"] = nullptr;
  c["smuggle"] = "x\r\nX-Admin: 1";
  c["tabbed"] = "a\tb";
  const auto result = check_claims(c, policy({}), kNowTime);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->claim_as_header_value("sub"), "user-1");
  EXPECT_EQ(result->claim_as_header_value("admin"), "true");
  EXPECT_EQ(result->claim_as_header_value("level"), "3");
  EXPECT_EQ(result->claim_as_header_value("ratio"), "0.5");
  EXPECT_EQ(result->claim_as_header_value("exp"), std::to_string(kNow + 60));
  EXPECT_EQ(result->claim_as_header_value("tabbed"), "a\tb");
  EXPECT_FALSE(result->claim_as_header_value("groups").has_value());
  EXPECT_FALSE(result->claim_as_header_value("address").has_value());
  EXPECT_FALSE(result->claim_as_header_value("nothing").has_value());
  EXPECT_FALSE(result->claim_as_header_value("smuggle").has_value());
  EXPECT_FALSE(result->claim_as_header_value("missing").has_value());
}

}  // namespace
}  // namespace archway::identity

// auth.oauth2Introspection's audiences, forwardClaims and staleGracePeriod
// in the snapshot: the same shapes and checks as auth.jwt's fields of the
// same names (audiences optional here), absent from the canonical form when
// unset, and round-tripped.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

// An introspection policy with `extra` members (a literal: PolicyCase holds
// C strings).
#define INTROSPECTION_WITH(extra)                                                       \
  R"({"oauth2Introspection": {"endpoint": "https://id/introspect", "clientId": "gw", )" \
  R"("clientSecret": "s", )" extra "}}"

class IntrospectionFieldsDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(IntrospectionFieldsDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Auth>(GetParam().json, "a"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IntrospectionFieldsDecodeTest,
    ::testing::Values(
        PolicyCase{"audiences", INTROSPECTION_WITH(R"("audiences": ["orders", "billing"])"), ""},
        PolicyCase{"audiences_empty_list", INTROSPECTION_WITH(R"("audiences": [])"), ""},
        PolicyCase{"audience_empty", INTROSPECTION_WITH(R"("audiences": [""])"),
                   "a.oauth2Introspection.audiences[0]: must not be empty"},
        PolicyCase{"audience_twice", INTROSPECTION_WITH(R"("audiences": ["o", "o"])"),
                   "a.oauth2Introspection.audiences[1]: duplicate value \"o\""},
        PolicyCase{"audiences_not_a_list", INTROSPECTION_WITH(R"("audiences": "orders")"),
                   "a.oauth2Introspection.audiences: expected array"},
        PolicyCase{"forward_claims",
                   INTROSPECTION_WITH(
                       R"("forwardClaims": [{"claim": "sub", "header": "X-User"},
                                            {"claim": "client_id", "header": "x-client"}])"),
                   ""},
        PolicyCase{"forward_claim_without_header",
                   INTROSPECTION_WITH(R"("forwardClaims": [{"claim": "sub"}])"),
                   "a.oauth2Introspection.forwardClaims[0].header: is required"},
        PolicyCase{"forward_claim_header_twice",
                   INTROSPECTION_WITH(R"("forwardClaims": [{"claim": "sub", "header": "x-u"},
                                                           {"claim": "iss", "header": "X-U"}])"),
                   "a.oauth2Introspection.forwardClaims[1].header: duplicate header \"x-u\""},
        PolicyCase{"forward_claim_header_is_the_token_header",
                   INTROSPECTION_WITH(R"("forwardClaims": [{"claim": "sub", "header": "x-t"}],
                                         "tokenSource": {"header": "X-T"})"),
                   "a.oauth2Introspection.tokenSource.header: is also a forwardClaims header"},
        PolicyCase{"stale_grace", INTROSPECTION_WITH(R"("staleGracePeriod": "5m")"), ""},
        PolicyCase{"stale_grace_zero", INTROSPECTION_WITH(R"("staleGracePeriod": "0s")"), ""},
        PolicyCase{"stale_grace_bad", INTROSPECTION_WITH(R"("staleGracePeriod": "soon")"),
                   "a.oauth2Introspection.staleGracePeriod: invalid duration \"soon\": expected a "
                   "number"}),
    testing::case_name);

TEST(IntrospectionFieldsDecode, UnsetFieldsKeepTheCanonicalFormAndDefaults) {
  auto plain = parse_policy<Auth>(Json::parse(INTROSPECTION_WITH(R"("cacheTtl": "10s")")), "a");
  ASSERT_TRUE(plain.ok()) << plain.error().to_string();
  const OAuth2Introspection& o = *plain->oauth2_introspection;
  EXPECT_TRUE(o.audiences.empty());
  EXPECT_TRUE(o.forward_claims.empty());
  EXPECT_EQ(o.stale_grace_period.count(), 0);  // fail closed at once
  const Json json = to_json(*plain)["oauth2Introspection"];
  for (const char* member : {"audiences", "forwardClaims", "staleGracePeriod"}) {
    EXPECT_FALSE(json.contains(member)) << member;
  }
}

TEST(IntrospectionFieldsDecode, HeaderNamesAreLowerCasedAndTheFieldsRoundTrip) {
  auto parsed = parse_policy<Auth>(
      Json::parse(INTROSPECTION_WITH(R"("forwardClaims": [{"claim": "sub", "header": "X-User"}],
                                        "audiences": ["orders"], "staleGracePeriod": "90s")")),
      "a");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const OAuth2Introspection& o = *parsed->oauth2_introspection;
  EXPECT_EQ(o.forward_claims, (std::vector<ForwardClaim>{{"sub", "x-user"}}));
  EXPECT_EQ(o.audiences, (std::vector<std::string>{"orders"}));
  EXPECT_EQ(o.stale_grace_period, std::chrono::seconds(90));
  testing::expect_round_trip(*parsed);
}

}  // namespace
}  // namespace archway::config

// auth.*.tokenSource in the snapshot: where a request carries its token
// (a header, a cookie or a query parameter; Authorization: Bearer when
// absent), exactly one of them, each name checked, for jwt and
// oauth2Introspection alike.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

// A jwt policy whose tokenSource is `source` (a literal: PolicyCase holds
// C strings).
#define JWT_WITH(source)                                                    \
  R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x", )" \
  R"("forwardClaims": [{"claim": "sub", "header": "x-user"}], "tokenSource": )" source "}}"

class TokenSourceDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(TokenSourceDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Auth>(GetParam().json, "a"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TokenSourceDecodeTest,
    ::testing::Values(
        PolicyCase{"header", JWT_WITH(R"({"header": "X-Token"})"), ""},
        PolicyCase{"cookie", JWT_WITH(R"({"cookie": "session"})"), ""},
        PolicyCase{"query_parameter", JWT_WITH(R"({"queryParameter": "access_token"})"), ""},
        PolicyCase{"introspection_cookie",
                   R"({"oauth2Introspection": {"endpoint": "https://id/introspect",
                       "clientId": "gw", "clientSecret": "s",
                       "tokenSource": {"cookie": "session"}}})",
                   ""},
        PolicyCase{"two_sources", JWT_WITH(R"({"header": "x-token", "cookie": "session"})"),
                   "a.jwt.tokenSource: exactly one of header, cookie and queryParameter must "
                   "be set"},
        PolicyCase{"no_source", JWT_WITH(R"({})"),
                   "a.jwt.tokenSource: exactly one of header, cookie and queryParameter must "
                   "be set"},
        PolicyCase{"unknown_source", JWT_WITH(R"({"form": "token"})"),
                   "a.jwt.tokenSource.form: unknown field"},
        PolicyCase{"header_authorization", JWT_WITH(R"({"header": "Authorization"})"),
                   "a.jwt.tokenSource.header: must not be authorization (leave tokenSource out "
                   "for Authorization: Bearer; use cookie)"},
        PolicyCase{"header_is_a_forwarded_claim", JWT_WITH(R"({"header": "X-User"})"),
                   "a.jwt.tokenSource.header: is also a forwardClaims header"},
        PolicyCase{"header_bad", JWT_WITH(R"({"header": "x token"})"),
                   "a.jwt.tokenSource.header: invalid header name \"x token\""},
        PolicyCase{"cookie_bad", JWT_WITH(R"({"cookie": "a=b"})"),
                   "a.jwt.tokenSource.cookie: must be a cookie name (a token)"},
        PolicyCase{"cookie_empty", JWT_WITH(R"({"cookie": ""})"),
                   "a.jwt.tokenSource.cookie: must be a cookie name (a token)"},
        PolicyCase{"query_parameter_encoded", JWT_WITH(R"({"queryParameter": "access%5Ftoken"})"),
                   "a.jwt.tokenSource.queryParameter: must be 1 to 256 letters, digits, '-', "
                   "'.', '_' or '~'"}),
    testing::case_name);

TEST(TokenSourceDecode, AbsentMeansAuthorizationBearerAndHeaderNamesAreLowerCased) {
  auto plain = parse_policy<Auth>(
      Json::parse(R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x"}})"), "a");
  ASSERT_TRUE(plain.ok()) << plain.error().to_string();
  EXPECT_EQ(plain->jwt->token_source.kind, TokenSource::Kind::kAuthorization);
  EXPECT_FALSE(to_json(*plain)["jwt"].contains("tokenSource"));
  auto header = parse_policy<Auth>(Json::parse(JWT_WITH(R"({"header": "X-Token"})")), "a");
  ASSERT_TRUE(header.ok()) << header.error().to_string();
  EXPECT_EQ(header->jwt->token_source, (TokenSource{TokenSource::Kind::kHeader, "x-token"}));
}

TEST(TokenSourceDecode, RoundTripsThroughCanonicalJson) {
  for (const TokenSource& source : {TokenSource{TokenSource::Kind::kHeader, "x-token"},
                                    TokenSource{TokenSource::Kind::kCookie, "Session"},
                                    TokenSource{TokenSource::Kind::kQueryParameter, "at"}}) {
    JwtAuth jwt;
    jwt.issuer = "https://id.example.com";
    jwt.audiences = {"orders"};
    jwt.jwks_uri = "https://id.example.com/jwks.json";
    jwt.token_source = source;
    testing::expect_round_trip(Auth{jwt, std::nullopt, std::nullopt});
    OAuth2Introspection introspection{"https://id/introspect",         "gw",  "s", {},
                                      std::chrono::milliseconds(1000), source};
    testing::expect_round_trip(Auth{std::nullopt, introspection, std::nullopt});
  }
}

}  // namespace
}  // namespace archway::config

// auth in the snapshot: exactly one of jwt, oauth2Introspection, apiKey,
// everything resolved (JWKS inline or a URL, client credentials, key
// digests), each field checked.

#include "tests/config/policy_test_util.h"

namespace archway::config {
namespace {

using testing::PolicyCase;

constexpr const char* kDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

class AuthDecodeTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(AuthDecodeTest, AcceptsOrNamesTheField) {
  EXPECT_EQ(testing::parse_error<Auth>(GetParam().json, "a"), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AuthDecodeTest,
    ::testing::Values(
        PolicyCase{"jwt_uri",
                   R"({"jwt": {"issuer": "https://id.example.com", "audiences": ["orders"],
                       "jwksUri": "https://id.example.com/jwks.json",
                       "requiredScopes": ["orders:read"],
                       "forwardClaims": [{"claim": "sub", "header": "X-User"}],
                       "clockSkew": "30s"}})",
                   ""},
        PolicyCase{"jwt_inline", R"({"jwt": {"issuer": "i", "audiences": ["a"],
                       "jwks": "{\"keys\": [{\"kty\": \"oct\"}]}"}})",
                   ""},
        PolicyCase{"introspection",
                   R"({"oauth2Introspection": {"endpoint": "https://id/introspect",
                       "clientId": "gw", "clientSecret": "s3cret", "cacheTtl": "1m"}})",
                   ""},
        PolicyCase{
            "api_key",
            R"({"apiKey": {"keys": [{"id": "team-a", "sha256": "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"}]}})",
            ""},
        PolicyCase{"none", R"({})",
                   "a: exactly one of jwt, oauth2Introspection and apiKey must be set"},
        PolicyCase{"two_methods",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x"},
                       "apiKey": {"keys": [{"id": "k", "sha256": "00"}]}})",
                   "a: exactly one of jwt, oauth2Introspection and apiKey must be set"},
        PolicyCase{"unknown_method", R"({"basic": {}})", "a.basic: unknown field"},
        PolicyCase{"jwt_unknown_field",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksSecretRef": {}}})",
                   "a.jwt.jwksSecretRef: unknown field"},
        PolicyCase{"jwt_issuer_required",
                   R"({"jwt": {"audiences": ["a"], "jwksUri": "https://x"}})",
                   "a.jwt.issuer: is required"},
        PolicyCase{"jwt_audiences_required", R"({"jwt": {"issuer": "i", "jwksUri": "https://x"}})",
                   "a.jwt.audiences: is required"},
        PolicyCase{"jwt_audiences_empty",
                   R"({"jwt": {"issuer": "i", "audiences": [], "jwksUri": "https://x"}})",
                   "a.jwt.audiences: must have at least 1 entry"},
        PolicyCase{"jwt_issuer_wrong_type",
                   R"({"jwt": {"issuer": 1, "audiences": ["a"], "jwksUri": "https://x"}})",
                   "a.jwt.issuer: expected string"},
        PolicyCase{"jwt_no_keys", R"({"jwt": {"issuer": "i", "audiences": ["a"]}})",
                   "a.jwt: exactly one of jwksUri and jwks must be set"},
        PolicyCase{"jwt_both_keys",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x",
                       "jwks": "{\"keys\": [{}]}"}})",
                   "a.jwt: exactly one of jwksUri and jwks must be set"},
        PolicyCase{"jwt_uri_not_url",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "file:///k"}})",
                   "a.jwt.jwksUri: must be an http:// or https:// URL"},
        PolicyCase{"jwt_jwks_not_json",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwks": "keys"}})",
                   "a.jwt.jwks: must be a JSON Web Key Set (a JSON object)"},
        PolicyCase{"jwt_jwks_no_keys",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwks": "{\"keys\": []}"}})",
                   "a.jwt.jwks: must hold a non-empty \"keys\" array"},
        PolicyCase{"jwt_scope_bad",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x",
                       "requiredScopes": ["a b"]}})",
                   "a.jwt.requiredScopes[0]: must be 1 to 256 visible ASCII characters other "
                   "than '\"' and '\\'"},
        PolicyCase{"jwt_claim_header_bad",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x",
                       "forwardClaims": [{"claim": "sub", "header": "x user"}]}})",
                   "a.jwt.forwardClaims[0].header: invalid header name \"x user\""},
        PolicyCase{"jwt_claim_header_duplicate",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x",
                       "forwardClaims": [{"claim": "sub", "header": "x-user"},
                                         {"claim": "email", "header": "X-User"}]}})",
                   "a.jwt.forwardClaims[1].header: duplicate header \"x-user\""},
        PolicyCase{"jwt_claim_unknown_field",
                   R"({"jwt": {"issuer": "i", "audiences": ["a"], "jwksUri": "https://x",
                       "forwardClaims": [{"claim": "sub", "header": "x", "prefix": "y"}]}})",
                   "a.jwt.forwardClaims[0].prefix: unknown field"},
        PolicyCase{"introspection_secret_required",
                   R"({"oauth2Introspection": {"endpoint": "https://x", "clientId": "c"}})",
                   "a.oauth2Introspection.clientSecret: is required"},
        PolicyCase{"introspection_endpoint_bad",
                   R"({"oauth2Introspection": {"endpoint": "x", "clientId": "c",
                       "clientSecret": "s"}})",
                   "a.oauth2Introspection.endpoint: must be an http:// or https:// URL"},
        PolicyCase{"introspection_client_id_empty",
                   R"({"oauth2Introspection": {"endpoint": "https://x", "clientId": "",
                       "clientSecret": "s"}})",
                   "a.oauth2Introspection.clientId: must not be empty"},
        PolicyCase{"api_key_keys_required", R"({"apiKey": {"header": "x-key"}})",
                   "a.apiKey.keys: is required"},
        PolicyCase{"api_key_raw_key", R"({"apiKey": {"keys": [{"id": "k", "key": "hunter2"}]}})",
                   "a.apiKey.keys[0].key: unknown field"},
        PolicyCase{"api_key_digest_not_hex",
                   R"({"apiKey": {"keys": [{"id": "k", "sha256": "hunter2"}]}})",
                   "a.apiKey.keys[0].sha256: must be a SHA-256 digest in hex (64 characters)"},
        PolicyCase{"api_key_id_bad", R"({"apiKey": {"keys": [{"id": "a/b", "sha256": "00"}]}})",
                   "a.apiKey.keys[0].id: must be 1 to 253 letters, digits, '-', '.' or '_'"},
        PolicyCase{"api_key_header_bad",
                   R"({"apiKey": {"header": "", "keys": [{"id": "k", "sha256": "00"}]}})",
                   "a.apiKey.header: invalid header name \"\""}),
    testing::case_name);

TEST(AuthDecode, ApiKeyDefaultsAndDistinctKeys) {
  const std::string key = std::string(R"({"id": "k", "sha256": ")") + kDigest + R"("})";
  auto auth = parse_policy<Auth>(Json::parse(R"({"apiKey": {"keys": [)" + key + "]}}"), "a");
  ASSERT_TRUE(auth.ok()) << auth.error().to_string();
  EXPECT_EQ(auth->api_key->header, "x-api-key");
  // One key listed twice: refused by its digest (ids may repeat, see below).
  auto twice =
      parse_policy<Auth>(Json::parse(R"({"apiKey": {"keys": [)" + key + "," + key + "]}}"), "a");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().to_string(), "a.apiKey.keys[1].sha256: the same key is listed twice");
}

// Key rotation: the Secret's value for one id holds several keys, so the
// snapshot lists that id once per key digest.
TEST(AuthDecode, ApiKeyIdMayHoldSeveralDigestsForRotation) {
  const std::string old_key = std::string(R"({"id": "team-a", "sha256": ")") + kDigest + R"("})";
  const std::string new_key =
      std::string(R"({"id": "team-a", "sha256": ")") + std::string(64, 'a') + R"("})";
  auto auth = parse_policy<Auth>(
      Json::parse(R"({"apiKey": {"keys": [)" + old_key + "," + new_key + "]}}"), "a");
  ASSERT_TRUE(auth.ok()) << auth.error().to_string();
  EXPECT_EQ(auth->api_key->keys.size(), 2u);
}

TEST(AuthDecode, RoundTripsThroughCanonicalJson) {
  JwtAuth jwt;
  jwt.issuer = "https://id.example.com";
  jwt.audiences = {"orders", "billing"};
  jwt.jwks = R"({"keys":[{"kty":"EC"}]})";
  jwt.required_scopes = {"orders:read"};
  jwt.forward_claims = {{"sub", "x-user"}};
  jwt.clock_skew = std::chrono::milliseconds(5000);
  testing::expect_round_trip(Auth{jwt, std::nullopt, std::nullopt});
  testing::expect_round_trip(
      Auth{std::nullopt,
           OAuth2Introspection{
               "https://id/introspect", "gw", "s", {"a"}, std::chrono::milliseconds(1000), {}},
           std::nullopt});
  testing::expect_round_trip(
      Auth{std::nullopt, std::nullopt, ApiKeyAuth{"x-key", {{"team-a", kDigest}}}});
}

}  // namespace
}  // namespace archway::config

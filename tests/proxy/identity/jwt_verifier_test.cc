// verify_jwt's policy knobs and what a verified token carries, on the
// crafted-token keys (token_table.h).

#include <gtest/gtest.h>

#include "proxy/identity/jwt_verifier.h"
#include "tests/proxy/identity/token_table.h"

namespace archway::identity {
namespace {

using namespace testing;  // NOLINT: the forge's helpers

TEST(JwtVerifier, HmacOnlyWithAKeyDeclaredHmac) {
  // The same HS256 token, secret included in a public JWKS: the oct key is
  // skipped, so nothing can verify HS256.
  const json oct = {{"kty", "oct"}, {"kid", "hmac-1"}, {"k", base64url_encode(kHmacSecret)}};
  auto set = JwkSet::parse(json{{"keys", json::array({oct})}}.dump(), KeySource::kPublicJwks);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->keys().empty());
  const std::string tok = token(header("HS256", "hmac-1"), claims(),
                                by_hmac(JwsAlgorithm::kHS256, std::string(kHmacSecret)));
  const auto result = verify_jwt(tok, *set, policy(), kNowTime);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure(), JwtFailure::kUnknownKey);
  EXPECT_TRUE(verify_jwt(tok, *keys().hmac_set, policy(), kNowTime).ok());
}

TEST(JwtVerifier, PolicyAlgorithmListNarrowsTheKeys) {
  JwtPolicy only_es256 = policy();
  only_es256.algorithms = {JwsAlgorithm::kES256};
  const auto result = verify_jwt(rs256(), *keys().public_set, only_es256, kNowTime);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.failure(), JwtFailure::kAlgNotAllowed);
}

TEST(JwtVerifier, TokenLimitIsConfigurable) {
  JwtPolicy small = policy();
  const std::string tok = rs256();
  small.max_token_bytes = tok.size() - 1;
  EXPECT_EQ(verify_jwt(tok, *keys().public_set, small, kNowTime).failure(), JwtFailure::kTooLarge);
  small.max_token_bytes = tok.size();
  EXPECT_TRUE(verify_jwt(tok, *keys().public_set, small, kNowTime).ok());
}

TEST(JwtVerifier, ClockSkewIsConfigurable) {
  JwtPolicy strict = policy();
  strict.clock_skew = std::chrono::seconds(0);
  json c = claims();
  c["exp"] = kNow - 1;
  EXPECT_EQ(verify_jwt(rs256(c), *keys().public_set, strict, kNowTime).failure(),
            JwtFailure::kExpired);
  EXPECT_TRUE(verify_jwt(rs256(c), *keys().public_set, policy(), kNowTime).ok());
}

TEST(JwtVerifier, VerifiedTokenCarriesKeyExpiryAndScopes) {
  const auto result = verify_jwt(rs256(), *keys().public_set, policy(), kNowTime);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->kid, "rsa-1");
  EXPECT_EQ(result->alg, JwsAlgorithm::kRS256);
  EXPECT_EQ(result->expires_at.time_since_epoch().count(), kNow + 300);
  EXPECT_EQ(result->scopes, (std::vector<std::string>{"orders:read", "orders:write"}));
}

}  // namespace
}  // namespace archway::identity

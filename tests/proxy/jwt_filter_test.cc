// The auth.jwt filter against a fake exchange, table-driven: what each
// request gets (no token, two Authorization fields, another scheme, a bad
// token, expired, insufficient scope, good), the RFC 6750 answers, the
// failure reasons counted, forged forward-claim headers stripped, claims
// forwarded, and a token answered from the verified-token cache.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "filter_test_util.h"
#include "proxy/filters/registry.h"
#include "proxy/identity/jwt_failure.h"
#include "tests/proxy/identity/token_forge.h"

namespace archway::filters {
namespace {

using metrics::PolicyCounter;
using testing::field;
using testing::run_chain;
namespace forge = identity::testing;

struct Idp {
  forge::Pkey key = forge::generate_ec("P-256");
  std::string jwks() const {
    return nlohmann::json{{"keys", {forge::public_jwk(key.get(), "k1")}}}.dump();
  }
  std::string token(nlohmann::json claims) const {
    const std::string input =
        forge::encode_json({{"alg", "ES256"}, {"kid", "k1"}}) + "." + forge::encode_json(claims);
    return input + "." +
           base64url_encode(forge::sign(identity::JwsAlgorithm::kES256, key.get(), input));
  }
};

int64_t now_plus(int seconds) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() +
         seconds;
}

nlohmann::json good_claims() {
  return {{"iss", "https://id.example.com"},
          {"aud", "orders"},
          {"sub", "alice"},
          {"admin", true},
          {"groups", {"a", "b"}},
          {"scope", "orders:read orders:write"},
          {"exp", now_plus(600)}};
}

config::Route route_with(const Idp& idp, std::vector<std::string> scopes = {"orders:read"}) {
  config::Route route;
  route.route_name = "orders";
  route.rule_name = "read";
  route.policies.auth.emplace();
  route.policies.auth->jwt = config::JwtAuth{
      .issuer = "https://id.example.com",
      .audiences = {"orders"},
      .jwks_uri = std::nullopt,
      .jwks = idp.jwks(),
      .required_scopes = std::move(scopes),
      .forward_claims = {{"sub", "x-user"}, {"admin", "x-admin"}, {"groups", "x-groups"}},
      .clock_skew = std::chrono::seconds(30),
      .token_source = {}};
  return route;
}

http::Request get(http::Headers headers) {
  http::Request request;
  request.method = "GET";
  request.authority = "api.example.com";
  request.target = "/v1/orders";
  request.headers = std::move(headers);
  return request;
}

struct Case {
  std::string name;
  http::Headers headers;
  int status;  // 0: continues to the backend
  std::optional<std::string> www_authenticate;
  std::optional<PolicyCounter> reason;
};

TEST(JwtFilter, DecisionsFollowRfc6750) {
  const Idp idp;
  const Idp other;  // signs with a key the route does not know under the same kid
  const std::string good = idp.token(good_claims());
  nlohmann::json expired = good_claims();
  expired["exp"] = now_plus(-3600);
  nlohmann::json no_scope = good_claims();
  no_scope["scope"] = "orders:write";
  const std::vector<Case> cases = {
      {"no_token", {}, 401, "Bearer", PolicyCounter::kAuthMissingToken},
      {"other_scheme",
       {{"authorization", "Basic YWxpY2U6cHc="}},
       401,
       "Bearer",
       PolicyCounter::kAuthMissingToken},
      {"two_fields",
       {{"authorization", "Bearer " + good}, {"authorization", "Bearer " + good}},
       401,
       "Bearer error=\"invalid_token\"",
       PolicyCounter::kAuthMalformed},
      {"bearer_without_token",
       {{"authorization", "Bearer"}},
       401,
       "Bearer error=\"invalid_token\"",
       PolicyCounter::kAuthMalformed},
      {"not_a_jwt",
       {{"authorization", "Bearer abc.def"}},
       401,
       "Bearer error=\"invalid_token\"",
       PolicyCounter::kAuthMalformed},
      {"bad_signature",
       {{"authorization", "Bearer " + other.token(good_claims())}},
       401,
       "Bearer error=\"invalid_token\"",
       PolicyCounter::kAuthBadSignature},
      {"expired",
       {{"authorization", "Bearer " + idp.token(expired)}},
       401,
       "Bearer error=\"invalid_token\"",
       PolicyCounter::kAuthExpired},
      {"insufficient_scope",
       {{"authorization", "Bearer " + idp.token(no_scope)}},
       403,
       "Bearer error=\"insufficient_scope\", scope=\"orders:read\"",
       PolicyCounter::kAuthInsufficientScope},
      {"good", {{"authorization", "Bearer " + good}}, 0, std::nullopt, std::nullopt},
      {"good_scheme_any_case",
       {{"authorization", "bEaReR   " + good}},
       0,
       std::nullopt,
       std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const config::Route route = route_with(idp);
    const CompiledChain chain = compile_chain(route);
    const auto run = run_chain(chain, route, get(c.headers));
    EXPECT_EQ(run.continued, c.status == 0);
    if (c.status != 0) {
      EXPECT_EQ(run.response.status, c.status);
    }
    EXPECT_EQ(field(run.response.headers, "www-authenticate"), c.www_authenticate);
    if (c.status != 0) {
      EXPECT_EQ(field(run.response.headers, "content-type"), "application/json");
      EXPECT_NE(run.reply->body.find("\"status\":" + std::to_string(c.status)), std::string::npos);
    }
    if (c.reason) {
      EXPECT_EQ(run.policy_counts.size(), 1u);
      EXPECT_EQ(run.policy_counts.count(*c.reason), 1u);
    } else {
      EXPECT_TRUE(run.policy_counts.empty());
    }
  }
}

TEST(JwtFilter, GoodTokenForwardsClaimsAndKeepsAuthorization) {
  const Idp idp;
  const config::Route route = route_with(idp);
  const CompiledChain chain = compile_chain(route);
  const std::string token = idp.token(good_claims());
  const auto run = run_chain(chain, route, get({{"authorization", "Bearer " + token}}));
  ASSERT_TRUE(run.continued);
  EXPECT_EQ(field(run.request.headers, "x-user"), "alice");
  EXPECT_EQ(field(run.request.headers, "x-admin"), "true");
  EXPECT_EQ(field(run.request.headers, "x-groups"), std::nullopt);  // arrays are not forwarded
  EXPECT_EQ(field(run.request.headers, "authorization"), "Bearer " + token);
}

TEST(JwtFilter, AcceptedTokenMakesItsSubjectTheIdentityAlsoFromTheCache) {
  const Idp idp;
  const config::Route route = route_with(idp);
  SharedPolicyState shared;
  const CompiledChain chain = compile_chain(route, shared);
  const std::string token = idp.token(good_claims());
  for (int round = 0; round < 2; ++round) {  // the second is a cache hit
    SCOPED_TRACE(round);
    EXPECT_EQ(run_chain(chain, route, get({{"authorization", "Bearer " + token}})).identity,
              "alice");
  }
  nlohmann::json no_scope = good_claims();
  no_scope["scope"] = "other";
  EXPECT_EQ(
      run_chain(chain, route, get({{"authorization", "Bearer " + idp.token(no_scope)}})).identity,
      "");
  nlohmann::json no_subject = good_claims();
  no_subject.erase("sub");
  const auto anonymous =
      run_chain(chain, route, get({{"authorization", "Bearer " + idp.token(no_subject)}}));
  EXPECT_TRUE(anonymous.continued);
  EXPECT_EQ(anonymous.identity, "");
}

TEST(JwtFilter, ForgedForwardClaimHeadersAreStrippedWhateverTheOutcome) {
  const Idp idp;
  const config::Route route = route_with(idp);
  const CompiledChain chain = compile_chain(route);
  const http::Headers forged = {{"x-user", "root"}, {"x-groups", "admins"}, {"x-user", "root2"}};
  http::Headers with_token = forged;
  with_token.push_back({"authorization", "Bearer " + idp.token(good_claims())});
  const auto good = run_chain(chain, route, get(with_token));
  ASSERT_TRUE(good.continued);
  EXPECT_EQ(field(good.request.headers, "x-user"), "alice");
  EXPECT_EQ(field(good.request.headers, "x-groups"), std::nullopt);
  const auto missing = run_chain(chain, route, get(forged));
  EXPECT_EQ(missing.response.status, 401);
  EXPECT_EQ(field(missing.request.headers, "x-user"), std::nullopt);
  EXPECT_EQ(field(missing.request.headers, "x-groups"), std::nullopt);
}

TEST(JwtFilter, ASecondUseOfATokenIsAnsweredFromTheCacheWithTheSameVerdict) {
  const Idp idp;
  const config::Route route = route_with(idp);
  SharedPolicyState shared;
  const CompiledChain chain = compile_chain(route, shared);
  nlohmann::json no_scope = good_claims();
  no_scope["scope"] = "other";
  const std::string good = idp.token(good_claims());
  const std::string forbidden = idp.token(no_scope);
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round);
    const auto ok = run_chain(chain, route, get({{"authorization", "Bearer " + good}}));
    EXPECT_TRUE(ok.continued);
    EXPECT_EQ(field(ok.request.headers, "x-user"), "alice");
    const auto denied = run_chain(chain, route, get({{"authorization", "Bearer " + forbidden}}));
    EXPECT_EQ(denied.response.status, 403);
  }
  EXPECT_EQ(shared.tokens->size(), 2u);
}

TEST(JwtFilter, ATokenCachedForOneRouteIsJudgedAgainForAnother) {
  const Idp idp;
  SharedPolicyState shared;
  const config::Route reader = route_with(idp, {"orders:read"});
  const config::Route admin = route_with(idp, {"orders:admin"});
  const CompiledChain reader_chain = compile_chain(reader, shared);
  const CompiledChain admin_chain = compile_chain(admin, shared);
  const std::string token = idp.token(good_claims());
  EXPECT_TRUE(
      run_chain(reader_chain, reader, get({{"authorization", "Bearer " + token}})).continued);
  EXPECT_EQ(
      run_chain(admin_chain, admin, get({{"authorization", "Bearer " + token}})).response.status,
      403);
}

TEST(JwtFilter, NoUsableKeysAnswer503NotUnauthenticatedService) {
  const Idp idp;
  config::Route route = route_with(idp);
  route.policies.auth->jwt->jwks = R"({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})";
  const CompiledChain chain = compile_chain(route);
  const auto run =
      run_chain(chain, route, get({{"authorization", "Bearer " + idp.token(good_claims())}}));
  EXPECT_EQ(run.response.status, 503);
  EXPECT_EQ(run.policy_counts.count(PolicyCounter::kAuthKeysUnavailable), 1u);
}

TEST(JwtFilter, FailureCountersAreNamedAfterTheCoreReasons) {
  for (int f = 0; f <= static_cast<int>(identity::JwtFailure::kInsufficientScope); ++f) {
    const auto failure = static_cast<identity::JwtFailure>(f);
    const auto counter = static_cast<size_t>(PolicyCounter::kAuthMalformed) + f;
    EXPECT_EQ(std::string_view(metrics::kPolicyCounterNames[counter].reason),
              identity::failure_label(failure));
    EXPECT_EQ(std::string_view(metrics::kPolicyCounterNames[counter].family),
              "archway_auth_failures_total");
  }
}

}  // namespace
}  // namespace archway::filters

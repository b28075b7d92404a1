// auth.jwt beyond Authorization: Bearer (tokenSource: a header, a cookie, a
// query parameter): the token is judged the same, and taken out of the
// request whatever the verdict, so neither the backend nor the access log's
// target sees it. And a verified token cached for one route does not pass a
// route that names another audience.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "filter_test_util.h"
#include "proxy/filters/registry.h"
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
  std::string token(const std::string& audience = "orders") const {
    const int64_t exp = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        600;
    const nlohmann::json claims = {
        {"iss", "https://id.example.com"}, {"aud", audience}, {"sub", "alice"}, {"exp", exp}};
    const std::string input =
        forge::encode_json({{"alg", "ES256"}, {"kid", "k1"}}) + "." + forge::encode_json(claims);
    return input + "." +
           base64url_encode(forge::sign(identity::JwsAlgorithm::kES256, key.get(), input));
  }
};

config::Route route_with(const Idp& idp, config::TokenSource source,
                         std::vector<std::string> audiences = {"orders"}) {
  config::Route route;
  route.route_name = "orders";
  route.rule_name = "read";
  route.policies.auth.emplace();
  config::JwtAuth jwt;
  jwt.issuer = "https://id.example.com";
  jwt.audiences = std::move(audiences);
  jwt.jwks = idp.jwks();
  jwt.forward_claims = {{"sub", "x-user"}};
  jwt.token_source = std::move(source);
  route.policies.auth->jwt = std::move(jwt);
  return route;
}

http::Request get(std::string target, http::Headers headers) {
  http::Request request;
  request.method = "GET";
  request.authority = "api.example.com";
  request.target = std::move(target);
  request.headers = std::move(headers);
  return request;
}

std::string query_of(const std::string& target) {
  const size_t q = target.find('?');
  return q == std::string::npos ? "" : target.substr(q + 1);
}

TEST(JwtFilterTokenSource, ATokenInACookieIsVerifiedAndTheOtherCookiesKept) {
  const Idp idp;
  const config::Route route = route_with(idp, {config::TokenSource::Kind::kCookie, "session"});
  const CompiledChain chain = compile_chain(route);
  const auto good = run_chain(
      chain, route, get("/v1/orders", {{"cookie", "theme=dark; session=" + idp.token()}}));
  ASSERT_TRUE(good.continued);
  EXPECT_EQ(field(good.request.headers, "x-user"), "alice");
  EXPECT_EQ(field(good.request.headers, "cookie"), "theme=dark");
  const auto bad =
      run_chain(chain, route, get("/v1/orders", {{"cookie", "session=abc.def.ghi; a=1"}}));
  EXPECT_EQ(bad.response.status, 401);
  EXPECT_EQ(bad.policy_counts.count(PolicyCounter::kAuthMalformed), 1u);
  EXPECT_EQ(field(bad.request.headers, "cookie"), "a=1");
  // A bearer token does not count when the route reads a cookie.
  const auto elsewhere =
      run_chain(chain, route, get("/v1/orders", {{"authorization", "Bearer " + idp.token()}}));
  EXPECT_EQ(elsewhere.response.status, 401);
  EXPECT_EQ(elsewhere.policy_counts.count(PolicyCounter::kAuthMissingToken), 1u);
}

TEST(JwtFilterTokenSource, ATokenInTheQueryIsVerifiedAndRemovedFromTheTarget) {
  const Idp idp;
  const config::Route route =
      route_with(idp, {config::TokenSource::Kind::kQueryParameter, "access_token"});
  const CompiledChain chain = compile_chain(route);
  const std::string target = "/v1/orders?page=2&access_token=" + idp.token() + "&sort=asc";
  const auto good = run_chain(chain, route, get(target, {}), "/v1/orders", query_of(target));
  ASSERT_TRUE(good.continued);
  EXPECT_EQ(good.request.target, "/v1/orders?page=2&sort=asc");
  EXPECT_EQ(field(good.request.headers, "x-user"), "alice");
  const std::string expired = "/v1/orders?access_token=abc.def.ghi";
  const auto bad = run_chain(chain, route, get(expired, {}), "/v1/orders", query_of(expired));
  EXPECT_EQ(bad.response.status, 401);
  EXPECT_EQ(bad.request.target, "/v1/orders");
}

TEST(JwtFilterTokenSource, ATokenInAnotherHeaderIsVerifiedAndTheHeaderRemoved) {
  const Idp idp;
  const config::Route route = route_with(idp, {config::TokenSource::Kind::kHeader, "x-token"});
  const CompiledChain chain = compile_chain(route);
  const auto good = run_chain(chain, route, get("/v1/orders", {{"x-token", idp.token()}}));
  ASSERT_TRUE(good.continued);
  EXPECT_EQ(field(good.request.headers, "x-token"), std::nullopt);
}

TEST(JwtFilter, ATokenCachedForOneRouteDoesNotPassARouteWithAnotherAudience) {
  const Idp idp;
  SharedPolicyState shared;
  const config::Route orders = route_with(idp, {}, {"orders"});
  const config::Route billing = route_with(idp, {}, {"billing"});
  const CompiledChain orders_chain = compile_chain(orders, shared);
  const CompiledChain billing_chain = compile_chain(billing, shared);
  const std::string token = idp.token("orders");
  for (int round = 0; round < 2; ++round) {  // the second round: a cache hit on orders
    SCOPED_TRACE(round);
    EXPECT_TRUE(run_chain(orders_chain, orders, get("/", {{"authorization", "Bearer " + token}}))
                    .continued);
    const auto other =
        run_chain(billing_chain, billing, get("/", {{"authorization", "Bearer " + token}}));
    EXPECT_EQ(other.response.status, 401);
    EXPECT_EQ(other.policy_counts.count(PolicyCounter::kAuthWrongAudience), 1u);
  }
}

}  // namespace
}  // namespace archway::filters

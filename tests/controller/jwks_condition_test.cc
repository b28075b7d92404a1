// JWKSReady (docs/auth.md "JWKS on the APIRoute"): the condition from the
// proxy's GET /jwks, the URIs each route names in a snapshot, the answer's
// parse, and the condition's removal once no rule names a jwksUri.

#include "controller/status/jwks_condition.h"

#include <gtest/gtest.h>

#include "controller/push/proxy_admin_client.h"
#include "controller/status/conditions.h"

namespace archway::controller::status {
namespace {

const std::string kIdp = "https://id.example/jwks";
const std::string kOther = "https://other.example/jwks";

JwksReports reports(std::initializer_list<JwksSourceReport> list) {
  JwksReports out;
  for (const auto& r : list) out[r.uri] = r;
  return out;
}

TEST(JwksCondition, AFailingUriMakesItFalseWithTheErrorAndWhetherStaleKeysServe) {
  const auto failing = jwks_condition(
      {kIdp, kOther}, reports({{kIdp, "Failing", 0, "the JWKS endpoint answered 503"},
                               {kOther, "Failing", 2, "connect: Connection refused"}}));
  ASSERT_TRUE(failing);
  EXPECT_EQ(failing->type, "JWKSReady");
  EXPECT_FALSE(failing->status);
  EXPECT_EQ(failing->reason, "JWKSFetchFailed");
  EXPECT_EQ(failing->message,
            "https://id.example/jwks: the JWKS endpoint answered 503 (no keys yet: requests get "
            "503); https://other.example/jwks: connect: Connection refused (keys fetched before "
            "keep serving)");
  // One failing URI is enough, even beside a ready or pending one.
  const auto mixed = jwks_condition(
      {kIdp, kOther}, reports({{kIdp, "Ready", 1, ""}, {kOther, "Failing", 0, "timed out"}}));
  ASSERT_TRUE(mixed);
  EXPECT_FALSE(mixed->status);
}

TEST(JwksCondition, EveryUriWithKeysMakesItTrue) {
  const auto ready =
      jwks_condition({kIdp, kOther}, reports({{kIdp, "Ready", 1, ""}, {kOther, "Ready", 3, ""}}));
  ASSERT_TRUE(ready);
  EXPECT_TRUE(ready->status);
  EXPECT_EQ(ready->reason, "JWKSFetched");
  EXPECT_EQ(ready->message,
            "keys fetched from https://id.example/jwks, https://other.example/jwks");
}

TEST(JwksCondition, NothingIsSaidBeforeAFetchOrForARouteWithoutJwksUri) {
  EXPECT_FALSE(jwks_condition({kIdp}, reports({{kIdp, "Pending", 0, ""}})));
  EXPECT_FALSE(jwks_condition({kIdp}, {}));  // the proxy does not know it yet
  EXPECT_FALSE(jwks_condition({}, reports({{kIdp, "Failing", 0, "down"}})));
}

TEST(JwksCondition, UrisAreCollectedPerRouteFromTheSnapshot) {
  config::Snapshot snapshot;
  config::VirtualHost vhost;
  auto route = [](std::string route_name, std::optional<std::string> uri) {
    config::Route r;
    r.name = route_name + "/rule";
    r.route_name = std::move(route_name);
    if (uri) {
      config::Auth auth;
      auth.jwt.emplace();
      auth.jwt->jwks_uri = std::move(uri);
      r.policies.auth = std::move(auth);
    }
    return r;
  };
  vhost.routes = {route("shop/orders", kIdp), route("shop/orders", kOther),
                  route("shop/orders", kIdp), route("shop/open", std::nullopt)};
  snapshot.virtual_hosts.push_back(std::move(vhost));
  const auto uris = jwks_uris_by_route(snapshot);
  ASSERT_EQ(uris.size(), 1u);
  EXPECT_EQ(uris.at("shop/orders"), (std::set<std::string>{kIdp, kOther}));
}

TEST(JwksCondition, TheProxyAnswerIsParsed) {
  const auto parsed = push::parse_jwks_status(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n"
      R"({"sources":[{"uri":"https://id.example/jwks","state":"Failing","keys":0,)"
      R"("error":"the JWKS endpoint answered 503","failingForSeconds":4},)"
      R"({"uri":"https://other.example/jwks","state":"Ready","keys":2}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, reports({{kIdp, "Failing", 0, "the JWKS endpoint answered 503"},
                              {kOther, "Ready", 2, ""}}));
  EXPECT_FALSE(push::parse_jwks_status("HTTP/1.1 404 Not Found\r\n\r\n{}").ok());
  EXPECT_FALSE(push::parse_jwks_status("HTTP/1.1 200 OK\r\n\r\n[]").ok());
}

TEST(JwksCondition, IsRemovedOnceNoRuleNamesAJwksUriWhileOtherWritersConditionsStay) {
  const nlohmann::json current = nlohmann::json::array(
      {{{"type", "JWKSReady"}, {"status", "False"}, {"reason", "JWKSFetchFailed"}},
       {{"type", "Foreign"}, {"status", "True"}, {"reason", "X"}}});
  const auto merged =
      merge_conditions(current, {{"Accepted", true, "Accepted", ""}}, 2, k8s::TimePoint{});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0]["type"], "Foreign");
  EXPECT_EQ(merged[1]["type"], "Accepted");
}

}  // namespace
}  // namespace archway::controller::status

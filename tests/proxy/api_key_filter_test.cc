// The auth.apiKey filter against a fake exchange, table-driven: what each
// request gets (right key, wrong key, no header, an empty value, two
// fields, both keys of an id being rotated), the 401 and its challenge,
// the failure reason counted, the key header removed whether the request
// passes or not, and the key id set as the request's identity.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "filter_test_util.h"
#include "proxy/filters/registry.h"
#include "proxy/identity/api_key_set.h"
#include "proxy/identity/sha256.h"

namespace archway::filters {
namespace {

using metrics::PolicyCounter;
using testing::field;
using testing::run_chain;

constexpr std::string_view kAliceOld = "ak_alice_0f1e2d3c4b5a6978";
constexpr std::string_view kAliceNew = "ak_alice_8796a5b4c3d2e1f0";  // rotation: both valid
constexpr std::string_view kBob = "ak_bob_00112233445566778899";

config::Route keyed_route(std::string header = "x-api-key") {
  config::Route route;
  route.route_name = "shop/orders";
  route.rule_name = "read";
  route.policies.auth.emplace();
  route.policies.auth->api_key =
      config::ApiKeyAuth{.header = std::move(header),
                         .keys = {{"alice", identity::sha256_hex(kAliceOld)},
                                  {"alice", identity::sha256_hex(kAliceNew)},
                                  {"bob", identity::sha256_hex(kBob)}}};
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

std::vector<std::string> challenges(const http::Headers& headers) {
  std::vector<std::string> out;
  for (const http::Header& h : headers) {
    if (h.name == "www-authenticate") out.push_back(h.value);
  }
  return out;
}

constexpr std::string_view kMissing = R"(ApiKey header="x-api-key")";
constexpr std::string_view kInvalid = R"(ApiKey header="x-api-key", error="invalid_key")";

struct Case {
  std::string name;
  http::Headers headers;
  std::string identity;  // "": refused with 401
  std::string_view www_authenticate = {};
  std::optional<PolicyCounter> reason = std::nullopt;
};

TEST(ApiKeyFilter, RightKeysPassAsTheirIdAndEveryOtherRequestIs401) {
  const std::vector<Case> cases = {
      {"right key", {{"x-api-key", std::string(kBob)}}, "bob"},
      {"rotated: the old key of an id", {{"x-api-key", std::string(kAliceOld)}}, "alice"},
      {"rotated: the new key of the same id", {{"x-api-key", std::string(kAliceNew)}}, "alice"},
      {"wrong key",
       {{"x-api-key", "ak_mallory_0000000000000000"}},
       "",
       kInvalid,
       PolicyCounter::kAuthUnknownKey},
      {"a key's prefix",
       {{"x-api-key", std::string(kBob.substr(0, kBob.size() - 1))}},
       "",
       kInvalid,
       PolicyCounter::kAuthUnknownKey},
      {"missing header",
       {{"x-other", std::string(kBob)}},
       "",
       kMissing,
       PolicyCounter::kAuthMissingKey},
      {"the key as a bearer token",
       {{"authorization", "Bearer " + std::string(kBob)}},
       "",
       kMissing,
       PolicyCounter::kAuthMissingKey},
      {"empty value", {{"x-api-key", ""}}, "", kInvalid, PolicyCounter::kAuthMalformed},
      {"a space inside",
       {{"x-api-key", "ak_bob 00112233445566778899"}},
       "",
       kInvalid,
       PolicyCounter::kAuthMalformed},
      {"two fields, both right",
       {{"x-api-key", std::string(kBob)}, {"x-api-key", std::string(kAliceNew)}},
       "",
       kInvalid,
       PolicyCounter::kAuthRepeatedHeader},
  };
  const config::Route route = keyed_route();
  const CompiledChain chain = compile_chain(route);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto run = run_chain(chain, route, get(c.headers));
    EXPECT_EQ(run.identity, c.identity);
    if (!c.identity.empty()) {
      EXPECT_TRUE(run.continued);
      EXPECT_TRUE(run.policy_counts.empty());
      continue;
    }
    ASSERT_TRUE(run.reply.has_value());
    EXPECT_EQ(run.response.status, 401);
    // The contract's Bearer challenge first, then where an API key goes.
    const bool missing = c.reason == PolicyCounter::kAuthMissingKey;
    EXPECT_EQ(challenges(run.response.headers),
              (std::vector<std::string>{missing ? "Bearer" : R"(Bearer error="invalid_token")",
                                        std::string(c.www_authenticate)}));
    EXPECT_EQ(field(run.response.headers, "content-type"), "application/json");
    const std::string error =
        c.reason == PolicyCounter::kAuthMissingKey ? "unauthorized" : "invalid_key";
    // One of two fixed bodies: nothing tells which check failed.
    EXPECT_EQ(run.reply->body, R"({"error":")" + error + R"(","status":401})");
    EXPECT_EQ(run.policy_counts.size(), 1u);
    if (c.reason) {
      EXPECT_EQ(run.policy_counts.count(*c.reason), 1u);
    }
  }
}

TEST(ApiKeyFilter, TheKeyHeaderNeverReachesTheBackendWhateverTheVerdict) {
  const config::Route route = keyed_route();
  const CompiledChain chain = compile_chain(route);
  const std::vector<http::Headers> requests = {
      {{"x-api-key", std::string(kBob)}, {"accept", "*/*"}},
      {{"x-api-key", "ak_mallory_0000000000000000"}, {"accept", "*/*"}},
      {{"x-api-key", std::string(kBob)}, {"accept", "*/*"}, {"x-api-key", std::string(kBob)}},
      {{"x-api-key", ""}, {"accept", "*/*"}},
  };
  for (const http::Headers& headers : requests) {
    const auto run = run_chain(chain, route, get(headers));
    EXPECT_EQ(field(run.request.headers, "x-api-key"), std::nullopt);
    EXPECT_EQ(field(run.request.headers, "accept"), "*/*");  // nothing else goes
  }
}

TEST(ApiKeyFilter, TheConfiguredHeaderIsReadAndNamedInTheChallenge) {
  const config::Route route = keyed_route("x-partner-key");
  const CompiledChain chain = compile_chain(route);
  const auto good = run_chain(chain, route, get({{"x-partner-key", std::string(kBob)}}));
  EXPECT_TRUE(good.continued);
  EXPECT_EQ(good.identity, "bob");
  EXPECT_EQ(field(good.request.headers, "x-partner-key"), std::nullopt);
  const auto other = run_chain(chain, route, get({{"x-api-key", std::string(kBob)}}));
  EXPECT_EQ(other.response.status, 401);
  EXPECT_EQ(challenges(other.response.headers),
            (std::vector<std::string>{"Bearer", R"(ApiKey header="x-partner-key")"}));
  EXPECT_EQ(field(other.request.headers, "x-api-key"), std::string(kBob));  // not its header
}

TEST(ApiKeyFilter, FailureCountersAreNamedAfterTheCoreReasons) {
  const std::vector<std::pair<identity::ApiKeyFailure, PolicyCounter>> mapping = {
      {identity::ApiKeyFailure::kMissing, PolicyCounter::kAuthMissingKey},
      {identity::ApiKeyFailure::kRepeatedHeader, PolicyCounter::kAuthRepeatedHeader},
      {identity::ApiKeyFailure::kMalformed, PolicyCounter::kAuthMalformed},
      {identity::ApiKeyFailure::kUnknownKey, PolicyCounter::kAuthUnknownKey},
  };
  for (const auto& [failure, counter] : mapping) {
    const auto& name = metrics::kPolicyCounterNames[static_cast<size_t>(counter)];
    EXPECT_EQ(std::string_view(name.family), "archway_auth_failures_total");
    EXPECT_EQ(std::string_view(name.reason), identity::failure_label(failure));
  }
}

}  // namespace
}  // namespace archway::filters

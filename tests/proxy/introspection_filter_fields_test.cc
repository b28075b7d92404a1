// auth.oauth2Introspection's audiences, forwardClaims and staleGracePeriod,
// through a worker's outbound client and a real endpoint on loopback: the
// answer's `aud` must name a route audience (401 wrong_audience), claims of
// the answer reach the backend with any incoming copy stripped first, and
// while the endpoint fails an active answer stands in for its grace, then
// no more (and an inactive one never).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/proxy/introspection_filter_fixture.h"

namespace archway::filters {
namespace {

using introspection_test::bearer;
using introspection_test::introspection_route;
using introspection_test::run;
using introspection_test::Worker;
using metrics::PolicyCounter;
using test_outbound::Reply;
using test_outbound::response;
using test_outbound::TestServer;
using testing::field;

// An endpoint that answers by token, or 503 for every token while `down`.
struct Endpoint {
  std::atomic<bool> down{false};
  TestServer server{[this](const test_outbound::Received& got) {
    if (down) return Reply{response(503, "{}")};
    const auto has = [&](const std::string& token) {
      return got.body.rfind("token=" + token + "&", 0) == 0;
    };
    if (has("orders")) {
      return Reply{response(
          200, R"({"active":true,"scope":"orders:read","sub":"u-1","aud":["orders","web"],)"
               R"("client_id":"app-7","tenant":42,"roles":["a"],"evil":"x\r\nx-admin: 1"})")};
    }
    if (has("string-aud")) {
      return Reply{response(200, R"({"active":true,"scope":"orders:read","aud":"orders"})")};
    }
    if (has("billing")) {
      return Reply{response(200, R"({"active":true,"scope":"orders:read","aud":"billing"})")};
    }
    if (has("no-aud")) return Reply{response(200, R"({"active":true,"scope":"orders:read"})")};
    return Reply{response(200, R"({"active":false})")};
  }};
};

config::Route with_audiences(uint16_t port, std::vector<std::string> audiences) {
  config::Route route = introspection_route(port);
  route.policies.auth->oauth2_introspection->audiences = std::move(audiences);
  return route;
}

struct AudienceCase {
  const char* token;
  std::vector<std::string> audiences;
  int status;  // 0: continues to the backend
};

TEST(IntrospectionFilterFields, TheAnswersAudMustNameARouteAudience) {
  Endpoint endpoint;
  Worker worker;
  SharedPolicyState shared;
  const std::vector<AudienceCase> cases = {
      {"orders", {"orders"}, 0},          // an array naming it
      {"orders", {"billing", "web"}, 0},  // any one of several
      {"string-aud", {"orders"}, 0},      // a string
      {"billing", {"orders"}, 401},       // another audience
      {"no-aud", {"orders"}, 401},        // none at all
      {"no-aud", {}, 0},                  // no audiences: not checked
      {"string-aud", {"Orders"}, 401},    // byte for byte, as for JWT
  };
  // Every chain kept, as a snapshot keeps them: the introspector lives as
  // long as a chain uses it.
  std::vector<std::unique_ptr<CompiledChain>> chains;
  for (const AudienceCase& c : cases) {
    SCOPED_TRACE(std::string(c.token) + " against " + std::to_string(c.audiences.size()));
    const config::Route route = with_audiences(endpoint.server.port(), c.audiences);
    chains.push_back(std::make_unique<CompiledChain>(compile_chain(route, shared)));
    const auto exchange = run(worker, route, *chains.back(), bearer(c.token));
    EXPECT_EQ(exchange->status(), c.status);
    if (c.status == 401) {
      EXPECT_EQ(exchange->www_authenticate(), "Bearer error=\"invalid_token\"");
      EXPECT_EQ(exchange->count(PolicyCounter::kAuthWrongAudience), 1u);
    }
  }
  // Routes that differ only by audiences share the introspector's answers.
  EXPECT_EQ(endpoint.server.requests.load(), 4);
}

TEST(IntrospectionFilterFields, ClaimsAreForwardedAndForgedCopiesStripped) {
  Endpoint endpoint;
  Worker worker;
  SharedPolicyState shared;
  config::Route route = introspection_route(endpoint.server.port());
  route.policies.auth->oauth2_introspection->forward_claims = {
      {"sub", "x-user"},    {"client_id", "x-client"}, {"tenant", "x-tenant"},
      {"roles", "x-roles"}, {"evil", "x-evil"},        {"missing", "x-missing"}};
  const CompiledChain chain = compile_chain(route, shared);
  http::Headers forged = bearer("orders");
  for (const char* name : {"x-user", "x-client", "x-roles", "x-missing"}) {
    forged.add(name, "forged");
  }
  const auto ok = run(worker, route, chain, forged);
  ASSERT_EQ(ok->status(), 0);
  const http::Headers& sent = ok->request().headers;
  EXPECT_EQ(field(sent, "x-user"), "u-1");
  EXPECT_EQ(field(sent, "x-client"), "app-7");
  EXPECT_EQ(field(sent, "x-tenant"), "42");
  // An array, a value with CR LF, a claim the answer lacks: no header, and
  // the forged copy gone all the same.
  for (const char* gone : {"x-roles", "x-evil", "x-missing"}) {
    EXPECT_EQ(field(sent, gone), std::nullopt) << gone;
  }
  size_t users = 0;
  for (const http::Header& h : sent) users += h.name == "x-user" ? 1 : 0;
  EXPECT_EQ(users, 1u);

  // Refused requests lose the forged copies too (they may be logged).
  http::Headers refused = bearer("revoked");
  refused.add("x-user", "admin");
  const auto denied = run(worker, route, chain, refused);
  EXPECT_EQ(denied->status(), 401);
  EXPECT_EQ(field(denied->request().headers, "x-user"), std::nullopt);
}

config::Route with_grace(uint16_t port, std::chrono::milliseconds ttl,
                         std::chrono::milliseconds grace) {
  config::Route route = introspection_route(port);
  route.policies.auth->oauth2_introspection->cache_ttl = ttl;
  route.policies.auth->oauth2_introspection->stale_grace_period = grace;
  return route;
}

TEST(IntrospectionFilterFields, AStaleActiveAnswerStandsInWithinTheGraceAndIsCounted) {
  Endpoint endpoint;
  Worker worker;
  SharedPolicyState shared;
  const config::Route route =
      with_grace(endpoint.server.port(), std::chrono::milliseconds(50), std::chrono::hours(1));
  const CompiledChain chain = compile_chain(route, shared);
  ASSERT_EQ(run(worker, route, chain, bearer("orders"))->status(), 0);
  EXPECT_EQ(run(worker, route, chain, bearer("revoked"))->status(), 401);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));  // past cacheTTL
  endpoint.down = true;
  const auto stale = run(worker, route, chain, bearer("orders"));
  EXPECT_EQ(stale->status(), 0);
  EXPECT_EQ(stale->identity(), "u-1");
  EXPECT_EQ(stale->count(PolicyCounter::kAuthIntrospectionStale), 1u);
  // The endpoint was asked again (the stale answer is no cache hit).
  EXPECT_EQ(endpoint.server.requests.load(), 3);
  // A negative answer never stands in: fail closed.
  const auto revoked = run(worker, route, chain, bearer("revoked"));
  EXPECT_EQ(revoked->status(), 503);
  EXPECT_EQ(revoked->count(PolicyCounter::kAuthIntrospectionEndpointError), 1u);
}

TEST(IntrospectionFilterFields, PastTheGraceOrWithoutOneTheRouteFailsClosed) {
  Endpoint endpoint;
  Worker worker;
  SharedPolicyState shared;
  const config::Route short_grace = with_grace(
      endpoint.server.port(), std::chrono::milliseconds(50), std::chrono::milliseconds(100));
  const config::Route no_grace = with_grace(endpoint.server.port(), std::chrono::milliseconds(50),
                                            std::chrono::milliseconds(0));
  const CompiledChain short_chain = compile_chain(short_grace, shared);
  const CompiledChain no_chain = compile_chain(no_grace, shared);
  ASSERT_EQ(run(worker, short_grace, short_chain, bearer("orders"))->status(), 0);
  ASSERT_EQ(run(worker, no_grace, no_chain, bearer("orders"))->status(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));  // past cacheTTL only
  endpoint.down = true;
  EXPECT_EQ(run(worker, no_grace, no_chain, bearer("orders"))->status(), 503);
  EXPECT_EQ(run(worker, short_grace, short_chain, bearer("orders"))->status(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past cacheTTL + grace
  const auto late = run(worker, short_grace, short_chain, bearer("orders"));
  EXPECT_EQ(late->status(), 503);
  EXPECT_EQ(late->count(PolicyCounter::kAuthIntrospectionStale), 0u);
}

}  // namespace
}  // namespace archway::filters

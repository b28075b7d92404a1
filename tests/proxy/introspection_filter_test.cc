// The auth.oauth2Introspection filter with a real RFC 7662 endpoint on
// loopback, through a worker's outbound client and introspection caller:
// the RFC 6750 answers for each kind of token, fail closed (503) when the
// endpoint is down or broken, one endpoint call for many concurrent first
// uses of a token, answers shared by routes at the same endpoint, and the
// worker's introspection-call metrics.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/metrics/introspection_call_stats.h"
#include "tests/proxy/introspection_filter_fixture.h"

namespace archway::filters {
namespace {

using introspection_test::bearer;
using introspection_test::Exchange;
using introspection_test::introspection_route;
using introspection_test::run;
using introspection_test::Worker;
using metrics::IntrospectionCallResult;
using metrics::PolicyCounter;
using test_outbound::Reply;
using test_outbound::response;
using test_outbound::TestServer;
using testing::field;

// An identity provider's introspection endpoint: the answer depends on the
// token in the form.
Reply introspection_answer(const test_outbound::Received& got) {
  const auto has = [&](const std::string& token) {
    return got.body.rfind("token=" + token + "&", 0) == 0;
  };
  if (has("good")) {
    return Reply{response(200, R"({"active":true,"scope":"orders:read orders:write","sub":"u-1"})",
                          "content-type: application/json\r\n")};
  }
  if (has("noscope")) return Reply{response(200, R"({"active":true,"scope":"orders:write"})")};
  if (has("broken")) return Reply{response(500, R"({"active":false})")};
  return Reply{response(200, R"({"active":false})")};  // revoked, unknown
}

struct Case {
  std::string name;
  http::Headers headers;
  int status;  // 0: continues to the backend
  std::optional<std::string> www_authenticate;
  PolicyCounter reason;
};

TEST(IntrospectionFilter, DecisionsFollowRfc6750AndFailClosed) {
  TestServer server(introspection_answer);
  Worker worker;
  SharedPolicyState shared;
  const config::Route route = introspection_route(server.port());
  const CompiledChain chain = compile_chain(route, shared);
  const std::string invalid = "Bearer error=\"invalid_token\"";
  const std::vector<Case> cases = {
      {"no_token", {}, 401, "Bearer", PolicyCounter::kAuthMissingToken},
      {"other_scheme",
       {{"authorization", "Basic YWxpY2U6cHc="}},
       401,
       "Bearer",
       PolicyCounter::kAuthMissingToken},
      {"two_fields",
       {{"authorization", "Bearer good"}, {"authorization", "Bearer good"}},
       401,
       invalid,
       PolicyCounter::kAuthMalformed},
      {"inactive", bearer("revoked"), 401, invalid, PolicyCounter::kAuthInactive},
      {"insufficient_scope", bearer("noscope"), 403,
       "Bearer error=\"insufficient_scope\", scope=\"orders:read\"",
       PolicyCounter::kAuthInsufficientScope},
      {"endpoint_error", bearer("broken"), 503, std::nullopt,
       PolicyCounter::kAuthIntrospectionEndpointError},
      {"good", bearer("good"), 0, std::nullopt, PolicyCounter::kAuthMissingToken},
  };
  for (const Case& c : cases) {
    const auto exchange = run(worker, route, chain, c.headers);
    ASSERT_TRUE(exchange->done()) << c.name;
    EXPECT_EQ(exchange->status(), c.status) << c.name;
    EXPECT_EQ(exchange->www_authenticate(), c.www_authenticate) << c.name;
    // The token's subject becomes the request's identity, only when let through.
    EXPECT_EQ(exchange->identity(), c.status == 0 ? "u-1" : "") << c.name;
    if (c.status != 0) {
      EXPECT_EQ(exchange->count(c.reason), 1u) << c.name;
      EXPECT_NE(exchange->body().find("\"status\":" + std::to_string(c.status)), std::string::npos)
          << c.name << ": " << exchange->body();
    }
  }
}

// tokenSource applies to introspection as to JWT: the token is read from the
// named cookie, and the cookie is gone before the request is forwarded,
// whatever the verdict.
TEST(IntrospectionFilter, ATokenFromACookieIsIntrospectedAndRemoved) {
  TestServer server(introspection_answer);
  Worker worker;
  SharedPolicyState shared;
  config::Route route = introspection_route(server.port());
  route.policies.auth->oauth2_introspection->token_source = {config::TokenSource::Kind::kCookie,
                                                             "session"};
  const CompiledChain chain = compile_chain(route, shared);
  const auto good = run(worker, route, chain, {{"cookie", "theme=dark; session=good; lang=en"}});
  EXPECT_EQ(good->status(), 0);
  EXPECT_EQ(good->identity(), "u-1");
  EXPECT_EQ(field(good->request().headers, "cookie"), "theme=dark; lang=en");
  const auto revoked = run(worker, route, chain, {{"cookie", "session=revoked"}});
  EXPECT_EQ(revoked->status(), 401);
  EXPECT_EQ(field(revoked->request().headers, "cookie"), std::nullopt);
  // Authorization is not read when the route names a cookie.
  const auto header_only = run(worker, route, chain, bearer("good"));
  EXPECT_EQ(header_only->status(), 401);
}

TEST(IntrospectionFilter, EndpointDownAnswers503WithoutAChallenge) {
  uint16_t closed_port = 0;
  {
    TestServer gone(introspection_answer);
    closed_port = gone.port();
  }
  Worker worker;
  SharedPolicyState shared;
  const config::Route route = introspection_route(closed_port);
  const CompiledChain chain = compile_chain(route, shared);
  const auto exchange = run(worker, route, chain, bearer("good"));
  EXPECT_EQ(exchange->status(), 503);
  EXPECT_EQ(exchange->www_authenticate(), std::nullopt);
  EXPECT_EQ(exchange->count(PolicyCounter::kAuthIntrospectionUnavailable), 1u);
  EXPECT_EQ(worker.outcomes[static_cast<size_t>(
                identity::OutboundIntrospectionCaller::Outcome::kUnavailable)],
            1);
}

TEST(IntrospectionFilter, ConcurrentFirstUsesOfATokenMakeOneCall) {
  TestServer server(introspection_answer);
  Worker worker;
  SharedPolicyState shared;
  const config::Route route = introspection_route(server.port());
  const CompiledChain chain = compile_chain(route, shared);
  std::vector<std::unique_ptr<Exchange>> exchanges;
  for (int i = 0; i < 200; ++i) {
    exchanges.push_back(std::make_unique<Exchange>(worker, route, bearer("good")));
    exchanges.back()->start(chain);
  }
  ASSERT_TRUE(worker.run_until([&] {
    return std::all_of(exchanges.begin(), exchanges.end(), [](const auto& e) { return e->done(); });
  }));
  for (const auto& e : exchanges) EXPECT_EQ(e->status(), 0);
  EXPECT_EQ(server.requests.load(), 1);
  // A later use is answered from the cache, without suspending.
  auto again = std::make_unique<Exchange>(worker, route, bearer("good"));
  again->start(chain);
  EXPECT_TRUE(again->done());
  EXPECT_EQ(server.requests.load(), 1);
}

TEST(IntrospectionFilter, RoutesAtTheSameEndpointShareAnswersButNotScopes) {
  TestServer server(introspection_answer);
  Worker worker;
  SharedPolicyState shared;
  const config::Route reader = introspection_route(server.port(), {"orders:read"}, "read");
  const config::Route admin = introspection_route(server.port(), {"orders:admin"}, "admin");
  const CompiledChain reader_chain = compile_chain(reader, shared);
  const CompiledChain admin_chain = compile_chain(admin, shared);
  EXPECT_EQ(run(worker, reader, reader_chain, bearer("good"))->status(), 0);
  EXPECT_EQ(run(worker, admin, admin_chain, bearer("good"))->status(), 403);
  EXPECT_EQ(server.requests.load(), 1);
  // A new snapshot's chain for the same policy keeps the cache.
  const CompiledChain recompiled = compile_chain(reader, shared);
  EXPECT_EQ(run(worker, reader, recompiled, bearer("good"))->status(), 0);
  EXPECT_EQ(server.requests.load(), 1);
}

TEST(IntrospectionFilter, AnExchangeCancelledWhileWaitingIsNeverResumed) {
  TestServer server(introspection_answer);
  Worker worker;
  SharedPolicyState shared;
  const config::Route route = introspection_route(server.port());
  const CompiledChain chain = compile_chain(route, shared);
  auto gone = std::make_unique<Exchange>(worker, route, bearer("good"));
  gone->start(chain);
  ASSERT_FALSE(gone->done());
  auto waiting = std::make_unique<Exchange>(worker, route, bearer("good"));
  waiting->start(chain);
  gone.reset();  // the client went away: the call goes on for the other
  ASSERT_TRUE(worker.run_until([&] { return waiting->done(); }));
  EXPECT_EQ(waiting->status(), 0);
  EXPECT_EQ(server.requests.load(), 1);
}

TEST(IntrospectionFilter, CallsAreCountedByResult) {
  TestServer server(introspection_answer);
  Worker worker;
  SharedPolicyState shared;
  const config::Route route = introspection_route(server.port());
  const CompiledChain chain = compile_chain(route, shared);
  for (const char* token : {"good", "revoked", "broken", "good"}) {
    (void)run(worker, route, chain, bearer(token));
  }
  using Outcome = identity::OutboundIntrospectionCaller::Outcome;
  EXPECT_EQ(worker.outcomes[static_cast<size_t>(Outcome::kActive)], 1);  // then cached
  EXPECT_EQ(worker.outcomes[static_cast<size_t>(Outcome::kInactive)], 1);
  EXPECT_EQ(worker.outcomes[static_cast<size_t>(Outcome::kError)], 1);

  metrics::IntrospectionCallStats stats;
  stats.record(IntrospectionCallResult::kActive, 0.003);
  stats.record(IntrospectionCallResult::kUnavailable, 5.0);
  std::string text;
  metrics::render_introspection_calls(stats, text);
  EXPECT_NE(text.find("archway_introspection_calls_total{result=\"active\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("archway_introspection_calls_total{result=\"unavailable\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("archway_introspection_call_duration_seconds_bucket{le=\"0.005\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("archway_introspection_call_duration_seconds_count 2\n"), std::string::npos);
}

}  // namespace
}  // namespace archway::filters

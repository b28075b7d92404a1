// OutboundIntrospectionCaller: a TokenIntrospector asking a real RFC 7662
// endpoint on loopback through the worker's outbound client. Component
// tests: real sockets, no mocks.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/pool.h"
#include "proxy/identity/outbound/introspection_caller.h"
#include "proxy/outbound/http_client.h"
#include "tests/proxy/outbound_test_server.h"

namespace archway::identity {
namespace {

using test_outbound::Reply;
using test_outbound::response;
using test_outbound::TestServer;
using test_outbound::WorkerPools;

struct Worker {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
      boost::asio::make_work_guard(io);
  WorkerPools pools{io};
  outbound::HttpClient client{io, pools};
  OutboundIntrospectionCaller caller{client, {std::chrono::milliseconds(2000), 64 * 1024, {}, {}}};

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(std::chrono::milliseconds(20));
    }
    return done();
  }
};

std::shared_ptr<TokenIntrospector> introspector_for(uint16_t port) {
  IntrospectionPolicy policy;
  policy.endpoint = "http://127.0.0.1:" + std::to_string(port) + "/oauth2/introspect";
  policy.client_id = "gateway";
  policy.client_secret = "s3cret";
  policy.required_scopes = {"orders:read"};
  return TokenIntrospector::create(policy, [] { return std::chrono::system_clock::now(); });
}

std::string label(const std::optional<IntrospectionDecision>& d) {
  if (!d) return "pending";
  return d->ok() ? "ok" : std::string(failure_label(d->error()));
}

std::optional<IntrospectionDecision> introspect(Worker& w, TokenIntrospector& introspector,
                                                std::string_view token) {
  std::optional<IntrospectionDecision> decision;
  auto now = introspector.introspect(token, w.caller.endpoint_call(),
                                     [&](IntrospectionDecision d) { decision = std::move(d); });
  if (now) return now;
  w.run_until([&] { return decision.has_value(); });
  return decision;
}

TEST(IntrospectionCaller, PostsTheFormWithBasicAuthAndReadsTheAnswer) {
  TestServer server([](const auto&) {
    return Reply{response(200, R"({"active": true, "scope": "orders:read", "sub": "u-1"})",
                          "content-type: application/json\r\n")};
  });
  Worker w;
  auto introspector = introspector_for(server.port());
  const auto decision = introspect(w, *introspector, "opaque+token/1=");
  ASSERT_EQ(label(decision), "ok");
  EXPECT_EQ(decision->value()->subject, "u-1");
  const auto got = server.last();
  EXPECT_EQ(got.head.rfind("POST /oauth2/introspect HTTP/1.1\r\n", 0), 0u) << got.head;
  EXPECT_NE(got.head.find("authorization: Basic Z2F0ZXdheTpzM2NyZXQ=\r\n"), std::string::npos);
  EXPECT_NE(got.head.find("accept: application/json\r\n"), std::string::npos);
  EXPECT_NE(got.head.find("content-type: application/x-www-form-urlencoded\r\n"),
            std::string::npos);
  EXPECT_EQ(got.body, "token=opaque%2Btoken%2F1%3D&token_type_hint=access_token");
  // Cached: the second lookup is answered at once.
  EXPECT_EQ(label(introspect(w, *introspector, "opaque+token/1=")), "ok");
  EXPECT_EQ(server.requests.load(), 1);
  EXPECT_EQ(w.caller.in_flight(), 0u);
}

TEST(IntrospectionCaller, ServerErrorIsAnEndpointErrorNotInactive) {
  TestServer server([](const auto&) { return Reply{response(500, R"({"active": false})")}; });
  Worker w;
  auto introspector = introspector_for(server.port());
  EXPECT_EQ(label(introspect(w, *introspector, "tok")), "endpoint_error");
}

TEST(IntrospectionCaller, EndpointThatHangsFailsClosedAfterTheTimeout) {
  TestServer server([](const auto&) { return Reply{"", false, /*hang=*/true}; });
  Worker w;
  auto introspector = introspector_for(server.port());
  EXPECT_EQ(label(introspect(w, *introspector, "tok")), "endpoint_unavailable");
}

TEST(IntrospectionCaller, DestroyingTheCallerAnswersItsWaiters) {
  TestServer server([](const auto&) { return Reply{"", false, /*hang=*/true}; });
  auto introspector = introspector_for(server.port());
  std::optional<IntrospectionDecision> decision;
  {
    Worker w;
    ASSERT_FALSE(
        introspector->introspect("tok", w.caller.endpoint_call(),
                                 [&](IntrospectionDecision d) { decision = std::move(d); }));
    EXPECT_EQ(w.caller.in_flight(), 1u);
  }
  EXPECT_EQ(label(decision), "endpoint_unavailable");
}

}  // namespace
}  // namespace archway::identity

// The outbound client (proxy/outbound/http_client.h) against real servers
// on loopback: the worker's own pools underneath, plain and TLS, limits,
// cancellation. Component tests: real sockets, no mocks.
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
#include "proxy/outbound/http_client.h"
#include "tests/proxy/outbound_test_server.h"

namespace archway::outbound {
namespace {

using test_outbound::Reply;
using test_outbound::response;
using test_outbound::TestServer;
using test_outbound::WorkerPools;

struct Worker {
  boost::asio::io_context io;
  // As a real worker: the loop does not stop when it runs out of work.
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
      boost::asio::make_work_guard(io);
  WorkerPools pools{io};
  HttpClient client{io, pools};

  // Runs the loop until `done` or 10 s.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(std::chrono::milliseconds(20));
    }
    return done();
  }
  void run_for(std::chrono::milliseconds period) {
    const auto deadline = std::chrono::steady_clock::now() + period;
    while (std::chrono::steady_clock::now() < deadline)
      io.run_one_for(std::chrono::milliseconds(10));
  }
  // One fetch to completion.
  Result<OutboundResponse> fetch(OutboundRequest request) {
    std::optional<Result<OutboundResponse>> result;
    auto handle = client.fetch(std::move(request),
                               [&](Result<OutboundResponse> r) { result.emplace(std::move(r)); });
    if (!run_until([&] { return result.has_value(); })) {
      return Error{Error::Code::kInternal, "", "test: no callback within 10 s"};
    }
    return std::move(*result);
  }
};

std::string url(const TestServer& server, const std::string& path,
                const std::string& host = "127.0.0.1", const std::string& scheme = "http") {
  return scheme + "://" + host + ":" + std::to_string(server.port()) + path;
}

OutboundRequest get(std::string url) {
  OutboundRequest r;
  r.url = std::move(url);
  return r;
}

TEST(OutboundHttpClient, GetReturnsStatusHeadersAndBody) {
  TestServer server(
      [](const auto&) { return Reply{response(200, "{\"keys\":[]}", "x-a: 1\r\n")}; });
  Worker w;
  auto r = w.fetch(get(url(server, "/jwks.json?v=1")));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "{\"keys\":[]}");
  ASSERT_NE(http::find_header(r->headers, "x-a"), nullptr);
  EXPECT_EQ(http::find_header(r->headers, "x-a")->value, "1");
  const auto head = server.last().head;
  EXPECT_EQ(head.rfind("GET /jwks.json?v=1 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("host: 127.0.0.1:" + std::to_string(server.port())), std::string::npos);
}

TEST(OutboundHttpClient, PostSendsAFormBody) {
  TestServer server([](const auto&) { return Reply{response(200, "{\"active\":true}")}; });
  Worker w;
  OutboundRequest r = get(url(server, "/introspect"));
  r.method = "POST";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"authorization", "Basic Y2xpZW50OnNlY3JldA=="}};
  r.body = "token=abc.def&token_type_hint=access_token";
  auto result = w.fetch(r);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->body, "{\"active\":true}");
  const auto got = server.last();
  EXPECT_EQ(got.head.rfind("POST /introspect HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(got.head.find("content-type: application/x-www-form-urlencoded\r\n"),
            std::string::npos);
  EXPECT_NE(got.head.find("content-length: 42\r\n"), std::string::npos);
  EXPECT_EQ(got.body, r.body);
}

TEST(OutboundHttpClient, NonSuccessStatusIsAResponseNotAnError) {
  TestServer server([](const auto&) { return Reply{response(404, "{\"error\":\"no\"}")}; });
  Worker w;
  auto r = w.fetch(get(url(server, "/missing")));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, 404);
}

TEST(OutboundHttpClient, SecondFetchReusesTheConnection) {
  TestServer server([](const auto&) { return Reply{response(200, "ok")}; });
  Worker w;
  ASSERT_TRUE(w.fetch(get(url(server, "/a"))).ok());
  ASSERT_TRUE(w.fetch(get(url(server, "/b"))).ok());
  EXPECT_EQ(server.requests.load(), 2);
  EXPECT_EQ(server.connections.load(), 1);
}

TEST(OutboundHttpClient, RedirectIsReturnedNotFollowed) {
  TestServer server(
      [](const auto&) { return Reply{response(302, "", "location: http://127.0.0.1:1/\r\n")}; });
  Worker w;
  auto r = w.fetch(get(url(server, "/old")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(server.requests.load(), 1);
}

TEST(OutboundHttpClient, TimeoutIsAnError) {
  TestServer server([](const auto&) { return Reply{"", false, true}; });
  Worker w;
  OutboundRequest r = get(url(server, "/slow"));
  r.timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  auto result = w.fetch(r);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kUnavailable);
  EXPECT_NE(result.error().message.find("timed out"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(OutboundHttpClient, BodyOverTheLimitIsAnError) {
  TestServer declared([](const auto&) { return Reply{response(200, std::string(100, 'x'))}; });
  TestServer chunked([](const auto&) {
    return Reply{"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + std::string("40\r\n") +
                 std::string(64, 'x') + "\r\n40\r\n" + std::string(64, 'y') + "\r\n0\r\n\r\n"};
  });
  Worker w;
  for (const TestServer* server : {&declared, &chunked}) {
    OutboundRequest r = get(url(*server, "/big"));
    r.max_response_bytes = 80;
    auto result = w.fetch(r);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Error::Code::kUnavailable);
    EXPECT_NE(result.error().message.find("limit"), std::string::npos) << result.error().message;
  }
  // The connection was dropped, not pooled: the next fetch opens another.
  OutboundRequest r = get(url(declared, "/big"));
  ASSERT_TRUE(w.fetch(r).ok());
  EXPECT_EQ(declared.connections.load(), 2);
}

TEST(OutboundHttpClient, ServerClosingMidResponseIsAnError) {
  TestServer server([](const auto&) {
    return Reply{"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten..", true};
  });
  Worker w;
  auto result = w.fetch(get(url(server, "/cut")));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kUnavailable);
}

TEST(OutboundHttpClient, CancelBeforeCompletionNeverCallsBack) {
  TestServer server([](const auto&) { return Reply{"", false, true}; });
  Worker w;
  bool called = false;
  auto handle = w.client.fetch(get(url(server, "/slow")), [&](auto) { called = true; });
  ASSERT_TRUE(w.run_until([&] { return server.requests.load() == 1; }));
  EXPECT_TRUE(handle.pending());
  handle.cancel();
  EXPECT_EQ(w.client.in_flight(), 0u);  // freed at once
  w.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(called);

  // Destroying the handle of a fetch still resolving: the same.
  {
    auto dropped =
        w.client.fetch(get(url(server, "/x", "localhost")), [&](auto) { called = true; });
  }
  EXPECT_EQ(w.client.in_flight(), 0u);
  w.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(called);
}

TEST(OutboundHttpClient, CallbackIsNeverCalledInsideFetch) {
  Worker w;
  bool called = false;
  auto handle = w.client.fetch(get("ftp://example.test/"), [&](Result<OutboundResponse> r) {
    called = true;
    EXPECT_EQ(r.error().code, Error::Code::kInvalidArgument);
  });
  EXPECT_FALSE(called);
  EXPECT_TRUE(w.run_until([&] { return called; }));
}

TEST(OutboundHttpClient, HeaderThatWouldInjectALineIsRefused) {
  TestServer server([](const auto&) { return Reply{response(200, "ok")}; });
  Worker w;
  OutboundRequest r = get(url(server, "/"));
  r.headers = {{"x-token", "a\r\nx-evil: 1"}};
  auto result = w.fetch(r);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(server.requests.load(), 0);
}

TEST(OutboundHttpClient, ResolvesHostNames) {
  TestServer server([](const auto&) { return Reply{response(200, "ok")}; });
  Worker w;
  auto r = w.fetch(get(url(server, "/", "localhost")));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->body, "ok");
  EXPECT_NE(server.last().head.find("host: localhost:"), std::string::npos);
}

TEST(OutboundHttpClient, UnresolvableHostIsUnavailable) {
  Worker w;
  OutboundRequest r = get("http://no-such-host.invalid/");
  auto result = w.fetch(r);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kUnavailable);
}

// --- HTTPS: a test CA made per run (self-signed leaf = its own anchor) ---

TEST(OutboundHttpsClient, VerifiedAgainstTheExtraCaAndReused) {
  const auto cert = test_tls::self_signed_cert("localhost");
  TestServer server([](const auto&) { return Reply{response(200, "secure")}; }, cert);
  Worker w;
  OutboundRequest r = get(url(server, "/jwks", "localhost", "https"));
  r.tls.extra_ca_pem = cert.cert;
  auto first = w.fetch(r);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->body, "secure");
  // The server chose http/1.1 by ALPN: remembered, and the second fetch
  // takes the pooled TLS connection with the same cached context.
  auto second = w.fetch(r);
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(server.connections.load(), 1);
  EXPECT_EQ(w.client.tls_contexts().size(), 1u);
}

TEST(OutboundHttpsClient, CertificateForAnotherNameIsAnError) {
  const auto cert = test_tls::self_signed_cert("other.test");
  TestServer server([](const auto&) { return Reply{response(200, "secure")}; }, cert);
  Worker w;
  OutboundRequest r = get(url(server, "/", "localhost", "https"));
  r.tls.extra_ca_pem = cert.cert;
  auto result = w.fetch(r);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(server.requests.load(), 0);
}

TEST(OutboundHttpsClient, UnknownCaIsAnError) {
  const auto cert = test_tls::self_signed_cert("localhost");
  TestServer server([](const auto&) { return Reply{response(200, "secure")}; }, cert);
  Worker w;
  auto result = w.fetch(get(url(server, "/", "localhost", "https")));  // system store only
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(server.requests.load(), 0);
}

TEST(OutboundHttpsClient, BadExtraCaIsAnInvalidRequest) {
  Worker w;
  OutboundRequest r = get("https://localhost:1/");
  r.tls.extra_ca_pem = "not a certificate";
  auto result = w.fetch(r);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, Error::Code::kInvalidArgument);
}

}  // namespace
}  // namespace archway::outbound

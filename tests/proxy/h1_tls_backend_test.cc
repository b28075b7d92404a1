// HTTPS backends that choose http/1.1 by ALPN (or no ALPN): the HTTP/2
// attempt falls back to HTTP/1.1 on the same TLS connection, the worker
// remembers it, and later requests use the HTTP/1.1 pool's TLS connections
// (which offer only http/1.1). A certificate that does not verify is a
// connect failure on both paths. Component tests on loopback, with a real
// TLS backend (tls_backend_util.h).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proxy/backend/h1_connection.h"
#include "proxy/backend/h1_fallback.h"
#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/pool.h"
#include "proxy/tls/client_tls.h"
#include "tests/proxy/tls_backend_util.h"

namespace archway::backend {
namespace {

using test_tls::CertPair;
using test_tls::TlsHttp1Backend;

TEST(Http1HeadFromH2, RequestLineHostFieldsAndFraming) {
  http::Request r;
  r.method = "POST";
  r.authority = "api.test";
  r.headers = {{"content-type", "text/plain"}, {"x-a", "1"}};
  r.te_trailers = true;
  r.has_body = true;
  r.content_length = 5;
  bool chunked = true;
  EXPECT_EQ(http1_head_from_h2(h2_request_head(r, "/p?q=1", "https"), true, chunked),
            "POST /p?q=1 HTTP/1.1\r\nhost: api.test\r\ncontent-type: text/plain\r\nx-a: 1\r\n"
            "content-length: 5\r\n\r\n");
  EXPECT_FALSE(chunked);
  r.content_length.reset();  // streamed body: chunked
  EXPECT_EQ(http1_head_from_h2(h2_request_head(r, "/", "https"), true, chunked),
            "POST / HTTP/1.1\r\nhost: api.test\r\ncontent-type: text/plain\r\nx-a: 1\r\n"
            "transfer-encoding: chunked\r\n\r\n");
  EXPECT_TRUE(chunked);
}

struct Events : http::BackendEvents {
  void on_backend_head(http::Response& head, bool end_stream) override {
    status = head.status;
    if (auto* h = http::find_header(head.headers, "x-connection")) connection_no = h->value;
    done = end_stream;
  }
  void on_backend_data(std::string_view data, bool end_stream) override {
    body.append(data);
    done = done || end_stream;
  }
  void on_backend_trailers(http::Headers&) override { done = true; }
  void on_backend_failure(Failure f) override {
    failure = f;
    failed = true;
  }
  void on_backend_drained() override {}
  void on_backend_replaced(std::shared_ptr<H1Connection> connection) override {
    replaced = std::move(connection);
  }
  int status = 0;
  std::string body;
  std::string connection_no;
  bool done = false;
  bool failed = false;
  Failure failure = Failure::kProtocol;
  std::shared_ptr<H1Connection> replaced;
};

bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(std::chrono::milliseconds(50));
  }
  return done();
}

// The proxy side of one worker: its pool, its HTTP/2 sessions (which know
// the pool), and an HTTPS cluster trusting `ca`.
struct ProxySide {
  explicit ProxySide(const std::string& ca_pem) {
    cluster.name = "tls";
    cluster.protocol = config::ClusterProtocol::kHttps;
    cluster.tls_server_name = "backend.test";
    cluster.tls_ca_pem = ca_pem;
    auto ctx = tls::make_client_context(cluster, config::parse_ca_bundle(ca_pem).value());
    EXPECT_TRUE(ctx.ok());
    if (ctx.ok()) client_tls = std::move(ctx).value();
  }
  http::Request request(std::string method, std::optional<uint64_t> length) const {
    http::Request r;
    r.method = std::move(method);
    r.authority = "backend.test";
    r.has_body = length.has_value();
    r.content_length = length;
    return r;
  }
  TlsTarget target() const { return {client_tls.get(), "backend.test", true}; }

  boost::asio::io_context io;
  std::shared_ptr<Pool> pool = std::make_shared<Pool>(io);
  std::shared_ptr<H2Sessions> sessions = std::make_shared<H2Sessions>(io, pool);
  config::Cluster cluster;
  tls::SslCtxPtr client_tls;
};

class TlsHttp1Fallback : public ::testing::TestWithParam<TlsHttp1Backend::Alpn> {};

TEST_P(TlsHttp1Fallback, CarriesTheRequestOverAndReusesTheConnection) {
  const CertPair cert = test_tls::self_signed_cert("backend.test");
  TlsHttp1Backend backend(cert, GetParam());  // outlives the worker below
  ProxySide w(cert.cert);
  const auto ep = backend.endpoint();
  ASSERT_EQ(w.sessions->alpn(ep, w.client_tls.get()), H2Sessions::Alpn::kUnknown);

  // A POST whose body arrives before the connection is up: it waits on the
  // HTTP/2 attempt and moves with the request.
  Events first;
  auto r = w.request("POST", 11);
  auto opened = w.sessions->open(w.cluster, w.client_tls.get(), ep, r, "/upload", &first);
  ASSERT_NE(opened.stream, nullptr);
  EXPECT_TRUE(opened.stream->send_data("hello", false));
  EXPECT_TRUE(opened.stream->send_data(" world", true));
  ASSERT_TRUE(run_until(w.io, [&] { return first.done || first.failed; }));
  EXPECT_FALSE(first.failed);
  ASSERT_NE(first.replaced, nullptr);
  EXPECT_TRUE(first.replaced->is_tls());
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, "hello world");
  EXPECT_EQ(w.sessions->alpn(ep, w.client_tls.get()), H2Sessions::Alpn::kHttp1);
  EXPECT_EQ(backend.offered_h2.load(), 1);  // the attempt offered h2, http/1.1
  H1Connection* used = first.replaced.get();
  first.replaced->detach(true);  // back to the pool
  first.replaced.reset();

  // Later requests: the pool's idle TLS connection, not a new one; plain
  // connections to the same address never get it.
  auto plain = w.pool->acquire(ep, std::chrono::milliseconds(500));
  EXPECT_NE(plain.get(), used);
  plain->close();
  const TlsTarget target = w.target();
  auto conn = w.pool->acquire(ep, std::chrono::milliseconds(500), &target);
  EXPECT_EQ(conn.get(), used);
  Events second;
  conn->start(&second, "GET /again HTTP/1.1\r\nhost: backend.test\r\n\r\n", false, false, false);
  ASSERT_TRUE(run_until(w.io, [&] { return second.done || second.failed; }));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.connection_no, "1");
  conn->detach(true);

  // A fresh pool connection (as after a reused one failed) offers only
  // http/1.1 and verifies like the HTTP/2 path.
  auto fresh = w.pool->create(ep, std::chrono::milliseconds(2000), &target);
  Events third;
  fresh->start(&third, "GET /fresh HTTP/1.1\r\nhost: backend.test\r\n\r\n", false, false, false);
  ASSERT_TRUE(run_until(w.io, [&] { return third.done || third.failed; }));
  EXPECT_FALSE(third.failed);
  EXPECT_EQ(third.status, 200);
  EXPECT_EQ(third.connection_no, "2");
  EXPECT_EQ(backend.offered_h2.load(), 1);
  EXPECT_EQ(backend.offered_http1.load(), 2);
  fresh->detach(true);
  EXPECT_EQ(backend.connections.load(), 2);
  EXPECT_EQ(backend.requests.load(), 3);
}

INSTANTIATE_TEST_SUITE_P(Alpn, TlsHttp1Fallback,
                         ::testing::Values(TlsHttp1Backend::Alpn::kHttp1,
                                           TlsHttp1Backend::Alpn::kNone),
                         [](const auto& param_info) {
                           return param_info.param == TlsHttp1Backend::Alpn::kHttp1 ? "Http1"
                                                                                    : "NoAlpn";
                         });

TEST(TlsHttp1Queued, RequestsOnTheAttemptEachGetAConnection) {
  const CertPair cert = test_tls::self_signed_cert("backend.test");
  TlsHttp1Backend backend(cert, TlsHttp1Backend::Alpn::kHttp1);
  ProxySide w(cert.cert);
  const auto ep = backend.endpoint();
  Events a, b;
  auto r = w.request("GET", std::nullopt);
  ASSERT_NE(w.sessions->open(w.cluster, w.client_tls.get(), ep, r, "/a", &a).stream, nullptr);
  ASSERT_NE(w.sessions->open(w.cluster, w.client_tls.get(), ep, r, "/b", &b).stream, nullptr);
  ASSERT_TRUE(run_until(w.io, [&] { return (a.done || a.failed) && (b.done || b.failed); }));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 200);
  ASSERT_NE(a.replaced, nullptr);
  ASSERT_NE(b.replaced, nullptr);
  EXPECT_NE(a.replaced, b.replaced);
  EXPECT_EQ(backend.connections.load(), 2);
  a.replaced->detach(true);
  b.replaced->detach(true);
}

TEST(TlsHttp1Backend, WrongCertificateIsAConnectFailureOnBothPaths) {
  const CertPair cert = test_tls::self_signed_cert("backend.test");
  const CertPair other = test_tls::self_signed_cert("backend.test");
  TlsHttp1Backend backend(cert, TlsHttp1Backend::Alpn::kHttp1);
  ProxySide w(other.cert);  // trusts another certificate with the same name
  const auto ep = backend.endpoint();

  Events attempt;
  auto r = w.request("GET", std::nullopt);
  ASSERT_NE(w.sessions->open(w.cluster, w.client_tls.get(), ep, r, "/", &attempt).stream, nullptr);
  ASSERT_TRUE(run_until(w.io, [&] { return attempt.done || attempt.failed; }));
  EXPECT_TRUE(attempt.failed);
  EXPECT_EQ(attempt.failure, http::BackendEvents::Failure::kConnect);
  EXPECT_EQ(attempt.replaced, nullptr);
  EXPECT_EQ(w.sessions->alpn(ep, w.client_tls.get()), H2Sessions::Alpn::kUnknown);

  const TlsTarget target = w.target();
  auto conn = w.pool->acquire(ep, std::chrono::milliseconds(2000), &target);
  Events direct;
  conn->start(&direct, "GET / HTTP/1.1\r\nhost: backend.test\r\n\r\n", false, false, false);
  ASSERT_TRUE(run_until(w.io, [&] { return direct.done || direct.failed; }));
  EXPECT_TRUE(direct.failed);
  EXPECT_EQ(direct.failure, http::BackendEvents::Failure::kConnect);
  EXPECT_EQ(backend.requests.load(), 0);
}

TEST(TlsHttp1Backend, HandshakeCountsAgainstTheConnectTimeout) {
  // A listener that accepts TCP but never speaks TLS.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const CertPair cert = test_tls::self_signed_cert("backend.test");
  ProxySide w(cert.cert);
  const TlsTarget target = w.target();
  auto conn = w.pool->acquire(silent.local_endpoint(), std::chrono::milliseconds(200), &target);
  Events events;
  const auto start = std::chrono::steady_clock::now();
  conn->start(&events, "GET / HTTP/1.1\r\nhost: x\r\n\r\n", false, false, false);
  ASSERT_TRUE(run_until(w.io, [&] { return events.done || events.failed; }));
  EXPECT_EQ(events.failure, http::BackendEvents::Failure::kConnect);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(H2SessionsAlpn, MemoryIsPerEndpointAndContext) {
  boost::asio::io_context io;
  H2Sessions sessions(io);
  const boost::asio::ip::tcp::endpoint a(boost::asio::ip::make_address("127.0.0.1"), 1);
  const boost::asio::ip::tcp::endpoint b(boost::asio::ip::make_address("127.0.0.1"), 2);
  auto* ctx = reinterpret_cast<SSL_CTX*>(0x1);
  sessions.remember(a, ctx, H2Sessions::Alpn::kHttp1);
  sessions.remember(b, ctx, H2Sessions::Alpn::kH2);
  EXPECT_EQ(sessions.alpn(a, ctx), H2Sessions::Alpn::kHttp1);
  EXPECT_EQ(sessions.alpn(b, ctx), H2Sessions::Alpn::kH2);
  EXPECT_EQ(sessions.alpn(a, nullptr), H2Sessions::Alpn::kUnknown);
  sessions.remember(a, ctx, H2Sessions::Alpn::kH2);  // the backend learned h2
  EXPECT_EQ(sessions.alpn(a, ctx), H2Sessions::Alpn::kH2);
}

}  // namespace
}  // namespace archway::backend

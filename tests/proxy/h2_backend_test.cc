// HTTP/2 backend units: the request head sent to a backend, and a session
// to an endpoint that refuses connections (component test on loopback).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/backend/h2_sessions.h"

namespace archway::backend {
namespace {

TEST(H2RequestHead, PseudoFieldsFirstConnectionFieldsDropped) {
  http::Request r;
  r.method = "POST";
  r.authority = "api.test";
  r.headers = {{"host", "api.test"},
               {"connection", "x"},
               {"content-type", "application/grpc"},
               {"keep-alive", "5"},
               {"x-a", "1"}};
  r.te_trailers = true;
  r.has_body = true;
  r.content_length = 12;
  const auto head = h2_request_head(r, "/svc/Call?x=1", "http");
  ASSERT_GE(head.size(), 4u);
  EXPECT_EQ(head[0].name, ":method");
  EXPECT_EQ(head[0].value, "POST");
  EXPECT_EQ(head[1].value, "http");
  EXPECT_EQ(head[2].value, "api.test");
  EXPECT_EQ(head[3].value, "/svc/Call?x=1");
  EXPECT_EQ(http::find_header(head, "host"), nullptr);
  EXPECT_EQ(http::find_header(head, "connection"), nullptr);
  EXPECT_EQ(http::find_header(head, "keep-alive"), nullptr);
  ASSERT_NE(http::find_header(head, "te"), nullptr);
  EXPECT_EQ(http::find_header(head, "te")->value, "trailers");
  ASSERT_NE(http::find_header(head, "content-length"), nullptr);
  EXPECT_EQ(http::find_header(head, "content-length")->value, "12");
  EXPECT_NE(http::find_header(head, "x-a"), nullptr);
}

struct RecordingEvents : http::BackendEvents {
  void on_backend_head(http::Response&, bool) override { ++heads; }
  void on_backend_data(std::string_view, bool) override {}
  void on_backend_trailers(http::Headers&) override {}
  void on_backend_failure(Failure f) override {
    failure = f;
    ++failures;
  }
  void on_backend_drained() override {}
  void on_backend_replaced(std::shared_ptr<H1Connection>) override {}
  int heads = 0;
  int failures = 0;
  Failure failure = Failure::kProtocol;
};

// A loopback port with nothing listening: bind, note it, close.
uint16_t closed_port(boost::asio::io_context& io) {
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const uint16_t port = a.local_endpoint().port();
  a.close();
  return port;
}

TEST(H2Sessions, RefusedConnectionIsAConnectFailure) {
  boost::asio::io_context io;
  auto sessions = std::make_shared<H2Sessions>(io);
  config::Cluster cluster;
  cluster.protocol = config::ClusterProtocol::kH2c;
  const boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"),
                                          closed_port(io));
  http::Request r;
  r.method = "GET";
  r.authority = "x";
  RecordingEvents events;
  auto opened = sessions->open(cluster, nullptr, ep, r, "/", &events);
  ASSERT_NE(opened.stream, nullptr);
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(events.failures, 1);
  EXPECT_EQ(events.failure, http::BackendEvents::Failure::kConnect);
  EXPECT_EQ(events.heads, 0);
}

TEST(H2Sessions, HttpsWithoutContextIsUnavailable) {
  boost::asio::io_context io;
  auto sessions = std::make_shared<H2Sessions>(io);
  config::Cluster cluster;
  cluster.protocol = config::ClusterProtocol::kHttps;
  http::Request r;
  RecordingEvents events;
  auto opened = sessions->open(cluster, nullptr, {}, r, "/", &events);
  EXPECT_EQ(opened.stream, nullptr);
  EXPECT_EQ(opened.error, H2Sessions::OpenError::kUnavailable);
}

TEST(H2Sessions, DetachBeforeConnectDropsTheStream) {
  boost::asio::io_context io;
  auto sessions = std::make_shared<H2Sessions>(io);
  config::Cluster cluster;
  cluster.protocol = config::ClusterProtocol::kH2c;
  const boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"),
                                          closed_port(io));
  http::Request r;
  r.method = "GET";
  RecordingEvents events;
  auto opened = sessions->open(cluster, nullptr, ep, r, "/", &events);
  ASSERT_NE(opened.stream, nullptr);
  opened.stream->detach(false);  // the exchange went away first
  sessions->retire();
  io.run_for(std::chrono::seconds(5));
  EXPECT_EQ(events.failures, 0);  // never told after detach
}

}  // namespace
}  // namespace archway::backend

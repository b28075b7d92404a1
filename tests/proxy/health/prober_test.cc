// The health-check prober against loopback listeners: the request it
// sends, the status line it reads, and each outcome of a real probe: an
// expected status passes, another status or a refused connection fails, a
// listener that never answers times out; an endpoint failing in a row goes
// unhealthy, and a swap to other targets stops probing the old ones.

#include "proxy/health/prober.h"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace archway::health {
namespace {

using boost::asio::ip::tcp;
using std::chrono::milliseconds;

TEST(Prober, StatusOfAResponseHead) {
  struct Case {
    const char* head;
    int status;
  } cases[] = {
      {"HTTP/1.1 200 OK\r\n\r\n", 200}, {"HTTP/1.0 503 Busy\r\n\r\n", 503},
      {"HTTP/1.1 204\r\n\r\n", 204},    {"HTTP/2 200\r\n\r\n", 0},
      {"HTTP/1.1 20 OK\r\n\r\n", 0},    {"HTTP/1.1 2000 OK\r\n", 0},
      {"SSH-2.0-OpenSSH\r\n\r\n", 0},   {"", 0},
      {"HTTP/1.1 099 Low\r\n\r\n", 0},
  };
  for (const auto& c : cases) EXPECT_EQ(Prober::status_of(c.head), c.status) << c.head;
}

TEST(Prober, RequestNamesPathHostAndUserAgent) {
  config::HealthCheck check;
  check.path = "/healthz?deep=1";
  const tcp::endpoint endpoint(boost::asio::ip::make_address("10.0.0.7"), 8080);
  EXPECT_EQ(Prober::request(check, endpoint),
            "GET /healthz?deep=1 HTTP/1.1\r\nHost: 10.0.0.7:8080\r\n"
            "User-Agent: archway-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  check.host = "orders.internal";
  EXPECT_NE(Prober::request(check, endpoint).find("\r\nHost: orders.internal\r\n"),
            std::string::npos);
}

// A loopback listener on its own thread answering every connection with
// `answer` after reading the request head ("" = read and never answer).
class FakeEndpoint {
 public:
  explicit FakeEndpoint(std::string answer)
      : answer_(std::move(answer)), acceptor_(io_, tcp::endpoint(tcp::v4(), 0)) {
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeEndpoint() {
    io_.stop();
    thread_.join();
  }
  tcp::endpoint endpoint() const {
    return {boost::asio::ip::make_address("127.0.0.1"), acceptor_.local_endpoint().port()};
  }
  std::atomic<int> requests{0};
  std::string last_request;  // written on the fake's thread, read after a wait

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      auto buffer = std::make_shared<boost::asio::streambuf>();
      boost::asio::async_read_until(
          *s, *buffer, "\r\n\r\n", [this, s, buffer](const boost::system::error_code& e, size_t) {
            if (e) return;
            last_request.assign(boost::asio::buffers_begin(buffer->data()),
                                boost::asio::buffers_end(buffer->data()));
            ++requests;
            if (answer_.empty()) {
              held_.push_back(s);  // never answers
              return;
            }
            boost::asio::async_write(*s, boost::asio::buffer(answer_),
                                     [s](const boost::system::error_code&, size_t) {});
          });
      accept();
    });
  }
  std::string answer_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<tcp::socket>> held_;
  std::thread thread_;
};

// A port nothing listens on: bound, then closed.
tcp::endpoint closed_port() {
  boost::asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint();
}

config::HealthCheck fast_check() {
  config::HealthCheck check;
  check.path = "/healthz";
  check.interval = milliseconds(100);
  check.timeout = milliseconds(50);
  check.unhealthy_threshold = 2;
  check.healthy_threshold = 1;
  return check;
}

// Waits until `done` holds (2 s at most).
template <typename F>
bool wait_for(F done) {
  for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(milliseconds(10));
  return done();
}

TEST(Prober, ProbesEachEndpointAndRecordsItsOutcome) {
  FakeEndpoint ok("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
  FakeEndpoint failing("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
  FakeEndpoint silent("");
  auto state =
      std::make_shared<resilience::HealthState>(4, resilience::HealthSettings{2, 1, "fast"});
  Prober prober;
  prober.update({{"app",
                  {ok.endpoint(), failing.endpoint(), silent.endpoint(), closed_port()},
                  fast_check(),
                  state}});
  using R = resilience::ProbeResult;
  EXPECT_TRUE(wait_for([&] { return state->unhealthy_count() == 3; }))
      << "unhealthy: " << state->unhealthy_count();
  EXPECT_TRUE(state->healthy(0));
  EXPECT_FALSE(state->healthy(1));
  EXPECT_FALSE(state->healthy(2));
  EXPECT_FALSE(state->healthy(3));
  EXPECT_GE(state->probes(R::kSuccess), 2u);
  EXPECT_GE(state->probes(R::kFailure), 4u);  // 503s and the refused connections
  EXPECT_GE(state->probes(R::kTimeout), 2u);
  EXPECT_NE(ok.last_request.find("User-Agent: archway-health-check\r\n"), std::string::npos);

  // Other targets from now on: the old endpoints are probed no more.
  prober.update({});
  std::this_thread::sleep_for(milliseconds(150));  // a probe in flight may still end
  const int before = ok.requests.load();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(ok.requests.load(), before);
  prober.stop();
}

TEST(Prober, ExpectedStatusesDecide) {
  FakeEndpoint redirect("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n");
  auto state =
      std::make_shared<resilience::HealthState>(1, resilience::HealthSettings{2, 1, "only-200"});
  config::HealthCheck check = fast_check();
  check.expected_statuses = {200};
  Prober prober;
  prober.update({{"app", {redirect.endpoint()}, check, state}});
  EXPECT_TRUE(wait_for([&] { return !state->healthy(0); }));
  EXPECT_EQ(state->probes(resilience::ProbeResult::kSuccess), 0u);
}

}  // namespace
}  // namespace archway::health

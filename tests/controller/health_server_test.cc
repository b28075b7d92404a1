#include "controller/app/health_server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <string>

namespace archway::controller::app {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Sends `request` raw and returns everything the server wrote before closing.
std::string send_raw(uint16_t port, const std::string& request) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  asio::write(socket, asio::buffer(request));
  std::string out;
  boost::system::error_code ec;
  asio::read(socket, asio::dynamic_buffer(out), ec);  // until the server closes
  return out;
}

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

std::string get(uint16_t port, const std::string& path) {
  return send_raw(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
}

class HealthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<HealthServer>("127.0.0.1", 0, [this] { return ready_.load(); });
    ASSERT_TRUE(server_->start().ok());
    ASSERT_NE(server_->port(), 0);
  }
  std::atomic<bool> ready_{false};
  std::unique_ptr<HealthServer> server_;
};

TEST_F(HealthServerTest, LivenessAlwaysOk) {
  const std::string r = get(server_->port(), "/healthz");
  EXPECT_EQ(status_line(r), "HTTP/1.1 200 OK");
  EXPECT_NE(r.find("\r\n\r\nok\n"), std::string::npos) << r;
  EXPECT_EQ(status_line(get(server_->port(), "/livez")), "HTTP/1.1 200 OK");
}

TEST_F(HealthServerTest, ReadinessFollowsTheCallback) {
  const std::string before = get(server_->port(), "/readyz");
  EXPECT_EQ(status_line(before), "HTTP/1.1 503 Service Unavailable");
  EXPECT_NE(before.find("not ready"), std::string::npos) << before;
  ready_ = true;
  EXPECT_EQ(status_line(get(server_->port(), "/readyz?verbose")), "HTTP/1.1 200 OK");
}

TEST_F(HealthServerTest, TableOfOtherRequests) {
  struct Case {
    std::string request;
    std::string status;
  };
  const Case cases[] = {
      {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 404 Not Found"},
      {"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
       "HTTP/1.1 405 Method Not Allowed"},
      {"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK"},
      {"NOT A REQUEST\r\n\r\n", "HTTP/1.1 400 Bad Request"},
      {"GET /healthz HTTP/1.1\r\nX: " + std::string(8000, 'a') + "\r\n\r\n",
       "HTTP/1.1 400 Bad Request"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(status_line(send_raw(server_->port(), c.request)), c.status)
        << c.request.substr(0, 40);
  }
}

TEST(HealthServer, BusyPortIsAnError) {
  HealthServer first("127.0.0.1", 0, [] { return true; });
  ASSERT_TRUE(first.start().ok());
  HealthServer second("127.0.0.1", first.port(), [] { return true; });
  auto r = second.start();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("cannot listen"), std::string::npos) << r.error().message;
}

TEST(HealthServer, BadAddressIsAnError) {
  HealthServer s("not-an-ip", 0, [] { return true; });
  auto r = s.start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "health-address");
}

}  // namespace
}  // namespace archway::controller::app

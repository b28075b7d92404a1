// push_snapshot against a tiny Unix-socket server on a thread that answers
// like the proxy's admin socket (ACK / NACK), hangs, or is absent.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <thread>

#include "controller/push/proxy_admin_client.h"

namespace archway::controller::push {
namespace {

using namespace std::chrono_literals;

class FakeAdmin {
 public:
  // `reply` is sent after the whole request arrived; empty = never answer.
  explicit FakeAdmin(std::string reply) : reply_(std::move(reply)) {
    path_ = (std::filesystem::temp_directory_path() /
             ("archway-push-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) +
              ".sock"))
                .string();
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeAdmin() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }
  std::string request() const { return request_; }

 private:
  void serve() {
    const int client = ::accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    char buf[4096];
    // Read until the body is complete (bounded by the test's small payloads).
    for (int i = 0; i < 100; ++i) {
      const ssize_t n = ::recv(client, buf, sizeof(buf), 0);
      if (n <= 0) break;
      request_.append(buf, static_cast<size_t>(n));
      const size_t head = request_.find("\r\n\r\n");
      if (head != std::string::npos && request_.size() >= head + 4 + body_length()) break;
    }
    if (!reply_.empty()) {
      (void)!::send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    } else {
      std::this_thread::sleep_for(400ms);  // longer than the client's timeout
    }
    ::close(client);
  }
  size_t body_length() const {
    const size_t at = request_.find("Content-Length: ");
    return at == std::string::npos ? 0 : std::strtoul(request_.c_str() + at + 16, nullptr, 10);
  }

  static inline std::atomic<int> counter_{0};
  std::string reply_;
  std::string path_;
  int fd_ = -1;
  std::string request_;
  std::thread thread_;
};

std::string http(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(PushClient, AckCarriesTheLiveVersion) {
  FakeAdmin admin(http(200, R"({"status":"ACK","version":"7"})"));
  auto reply = push_snapshot(admin.path(), R"({"version":"7"})", 2s);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_TRUE(reply->ack);
  EXPECT_EQ(reply->version, "7");
  EXPECT_EQ(admin.request().rfind("PUT /config HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(admin.request().find("\r\n\r\n{\"version\":\"7\"}"), std::string::npos);
}

TEST(PushClient, NackCarriesTheMessageAndTheOldVersion) {
  FakeAdmin admin(http(400, R"({"status":"NACK","version":"6","message":"clusters[0]: bad"})"));
  auto reply = push_snapshot(admin.path(), "{}", 2s);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_FALSE(reply->ack);
  EXPECT_EQ(reply->version, "6");
  EXPECT_EQ(reply->message, "clusters[0]: bad");
}

TEST(PushClient, NoProxyIsUnavailable) {
  auto reply = push_snapshot("/nonexistent/archway-admin.sock", "{}", 200ms);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, Error::Code::kUnavailable);
}

TEST(PushClient, ASilentProxyTimesOut) {
  FakeAdmin admin("");
  const auto start = std::chrono::steady_clock::now();
  auto reply = push_snapshot(admin.path(), "{}", 100ms);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, Error::Code::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 350ms);
}

TEST(PushClient, AServerErrorIsUnavailable) {
  FakeAdmin admin(http(503, R"({"error":"starting","status":503})"));
  auto reply = push_snapshot(admin.path(), "{}", 2s);
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().message.find("503"), std::string::npos);
}

}  // namespace
}  // namespace archway::controller::push

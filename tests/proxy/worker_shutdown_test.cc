// A worker destroyed with client connections still open: the connections'
// destructors call back into the worker (remove_connection), so they must be
// destroyed before its members are. Under ASan or valgrind a wrong order
// shows as a use-after-free; here the test also checks that it completes.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string_view>
#include <thread>

#include "proxy/server/worker.h"

namespace archway::server {
namespace {

int listen_loopback(uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 16) != 0) {
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return fd;
}

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  return fd;
}

TEST(WorkerShutdown, DestroysOpenConnectionsBeforeItsMembers) {
  uint16_t port = 0;
  const int listen_fd = listen_loopback(port);
  ASSERT_GE(listen_fd, 0);
  auto worker = std::make_unique<Worker>(0);
  worker->start();
  worker->post_listener_add("test", false, listen_fd);

  // Two connections: one mid-head (a pending read), one mid-preface sniff.
  const int a = connect_loopback(port);
  const int b = connect_loopback(port);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  constexpr std::string_view kPartial = "GET / HTTP/1.1\r\nHost: a\r\n";
  ASSERT_EQ(::write(a, kPartial.data(), kPartial.size()), static_cast<ssize_t>(kPartial.size()));
  // Wait (by condition, not by time) until the worker has both; the bound
  // only keeps a broken build from hanging.
  for (int i = 0; i < 10000 && worker->connections_open() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(worker->connections_open(), 2u);

  worker.reset();  // stop, join, destroy with both connections open
  ::close(a);
  ::close(b);
}

}  // namespace
}  // namespace archway::server

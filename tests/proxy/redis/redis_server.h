#pragma once
// A real redis-server on loopback for one test: a free port, no
// persistence, optional password; killed (or restarted) by the test.
// Skips the test when redis-server is not installed and
// ARCHWAY_SKIP_REDIS=1 says that is expected; fails it otherwise.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace archway::redis::testing {

inline uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline bool can_bind(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A cluster node also listens on its port + 10000 (the cluster bus), so
// both must be free and below 65536.
inline uint16_t free_cluster_port() {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    // Per process too: ctest runs tests of one binary side by side.
    const uint16_t port =
        static_cast<uint16_t>(20000 + ((::random() + ::getpid() * 7919L) % 25000));
    if (can_bind(port) && can_bind(static_cast<uint16_t>(port + 10000))) return port;
  }
  return 0;
}

inline bool port_open(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

inline bool have_redis_server() { return ::system("command -v redis-server >/dev/null") == 0; }

class RedisServer {
 public:
  explicit RedisServer(std::vector<std::string> extra = {}, uint16_t port = 0)
      : extra_(std::move(extra)) {
    port_ = port != 0 ? port : free_port();
    start();
  }
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  void start() {
    std::vector<std::string> args = {
        "redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
        "--save",       "",       "--appendonly",        "no"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its banner and log would drown the test's output.
    posix_spawn_file_actions_t quiet;
    posix_spawn_file_actions_init(&quiet);
    posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const int rc = ::posix_spawnp(&pid_, "redis-server", &quiet, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&quiet);
    ASSERT_EQ(rc, 0);
    for (int i = 0; i < 200 && !port_open(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(port_open(port_)) << "redis-server did not start on " << port_;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  [[nodiscard]] uint16_t port() const { return port_; }

 private:
  std::vector<std::string> extra_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// Three primaries with cluster support, joined by `redis-cli --cluster
// create` (each in its own work folder for nodes.conf).
class RedisCluster {
 public:
  RedisCluster() {
    char tmpl[] = "/tmp/archway-redis-cluster-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    for (int i = 0; i < 3; ++i) {
      nodes_.push_back(std::make_unique<RedisServer>(
          std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file",
                                   dir_ + "/nodes-" + std::to_string(i) + ".conf", "--dir", dir_},
          free_cluster_port()));
    }
    std::string create = "redis-cli --cluster create";
    for (const auto& n : nodes_) create += " 127.0.0.1:" + std::to_string(n->port());
    create += " --cluster-yes >/dev/null 2>&1";
    ready_ = ::system(create.c_str()) == 0;
    // Every node agrees the cluster is up a moment after create returns.
    for (const auto& n : nodes_) {
      bool ok = false;
      for (int i = 0; ready_ && !ok && i < 200; ++i) {
        const std::string check = "redis-cli -p " + std::to_string(n->port()) +
                                  " CLUSTER INFO | grep -q cluster_state:ok";
        ok = ::system(check.c_str()) == 0;
        if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ready_ = ready_ && ok;
    }
  }
  ~RedisCluster() {
    nodes_.clear();
    ::system(("rm -rf " + dir_).c_str());
  }
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] RedisServer& node(size_t i) { return *nodes_[i]; }

 private:
  std::string dir_;
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  bool ready_ = false;
};

// Call first in a test that needs redis-server.
#define ARCHWAY_REQUIRE_REDIS()                                                           \
  do {                                                                                    \
    if (!::archway::redis::testing::have_redis_server()) {                                \
      const char* skip = std::getenv("ARCHWAY_SKIP_REDIS");                               \
      if (skip != nullptr && std::string(skip) == "1") GTEST_SKIP() << "no redis-server"; \
      FAIL() << "redis-server not installed (scripts/install-deps.sh installs it)";       \
    }                                                                                     \
  } while (0)

}  // namespace archway::redis::testing

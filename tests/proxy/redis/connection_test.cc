// The Redis connection against a real redis-server: pipelined replies in
// order, AUTH, failures that fail every pending command and a reconnect.

#include "proxy/redis/connection.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tests/proxy/redis/redis_server.h"

namespace archway::redis {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;

// Runs the loop until `done` or 5 s.
template <typename Pred>
void run_until(boost::asio::io_context& io, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(10ms);
  }
}

ConnectionOptions options_for(const RedisServer& server) {
  ConnectionOptions o;
  o.port = server.port();
  o.reconnect_backoff = 50ms;
  return o;
}

TEST(RedisConnection, PipelinedCommandsGetTheirRepliesInOrder) {
  ARCHWAY_REQUIRE_REDIS();
  RedisServer server;
  boost::asio::io_context io;
  auto conn = Connection::create(io, options_for(server));
  std::vector<int64_t> seen;
  for (int i = 0; i < 500; ++i) {
    conn->send({"INCR", "counter"}, [&](Result<Reply> r) {
      ASSERT_TRUE(r.ok());
      seen.push_back(r->integer);
    });
  }
  std::string value;
  conn->send({"GET", "counter"}, [&](Result<Reply> r) { value = r->text; });
  run_until(io, [&] { return !value.empty(); });
  ASSERT_EQ(seen.size(), 500u);
  for (int i = 0; i < 500; ++i) EXPECT_EQ(seen[i], i + 1);
  EXPECT_EQ(value, "500");
}

TEST(RedisConnection, ErrorRepliesAreRepliesNotFailures) {
  ARCHWAY_REQUIRE_REDIS();
  RedisServer server;
  boost::asio::io_context io;
  auto conn = Connection::create(io, options_for(server));
  std::optional<Result<Reply>> got;
  conn->send({"NOSUCHCOMMAND"}, [&](Result<Reply> r) { got = std::move(r); });
  run_until(io, [&] { return got.has_value(); });
  ASSERT_TRUE(got && got->ok());
  EXPECT_TRUE((*got)->is_error());
  EXPECT_TRUE(conn->ready());
}

TEST(RedisConnection, AuthenticatesFirstAndAWrongPasswordFailsTheCommands) {
  ARCHWAY_REQUIRE_REDIS();
  RedisServer server({"--requirepass", "s3cret"});
  boost::asio::io_context io;
  ConnectionOptions good = options_for(server);
  good.password = "s3cret";
  auto conn = Connection::create(io, good);
  std::string pong;
  conn->send({"PING"}, [&](Result<Reply> r) { pong = r.ok() ? r->text : "failed"; });
  run_until(io, [&] { return !pong.empty(); });
  EXPECT_EQ(pong, "PONG");

  ConnectionOptions bad = options_for(server);
  bad.password = "wrong";
  auto refused = Connection::create(io, bad);
  std::optional<Result<Reply>> got;
  refused->send({"PING"}, [&](Result<Reply> r) { got = std::move(r); });
  run_until(io, [&] { return got.has_value(); });
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->ok());
  EXPECT_EQ(got->error().code, Error::Code::kUnavailable);
  EXPECT_NE(got->error().message.find("AUTH refused"), std::string::npos) << got->error().message;
}

TEST(RedisConnection, ServerGoneFailsPendingThenReconnectsWhenBack) {
  ARCHWAY_REQUIRE_REDIS();
  RedisServer server;
  boost::asio::io_context io;
  auto conn = Connection::create(io, options_for(server));
  std::string pong;
  conn->send({"PING"}, [&](Result<Reply> r) { pong = r.ok() ? r->text : "failed"; });
  run_until(io, [&] { return !pong.empty(); });
  ASSERT_EQ(pong, "PONG");

  server.stop();
  std::optional<Result<Reply>> during;
  conn->send({"PING"}, [&](Result<Reply> r) { during = std::move(r); });
  run_until(io, [&] { return during.has_value(); });
  ASSERT_TRUE(during.has_value());
  EXPECT_FALSE(during->ok());

  server.start();
  pong.clear();
  // Within the back-off a command fails at once; after it, one connects.
  run_until(io, [&] {
    if (pong == "PONG") return true;
    pong = "asked";
    conn->send({"PING"}, [&](Result<Reply> r) { pong = r.ok() ? r->text : "failed"; });
    io.restart();
    io.run_for(20ms);
    return pong == "PONG";
  });
  EXPECT_EQ(pong, "PONG");
}

TEST(RedisConnection, ACommandPastItsTimeoutFailsTheConnection) {
  ARCHWAY_REQUIRE_REDIS();
  RedisServer server({"--enable-debug-command", "yes"});  // DEBUG SLEEP: a server that stalls
  boost::asio::io_context io;
  ConnectionOptions o = options_for(server);
  o.command_timeout = 200ms;
  auto conn = Connection::create(io, o);
  std::optional<Result<Reply>> got;
  const auto start = std::chrono::steady_clock::now();
  conn->send({"DEBUG", "SLEEP", "2"}, [&](Result<Reply> r) { got = std::move(r); });
  run_until(io, [&] { return got.has_value(); });
  ASSERT_TRUE(got.has_value());
  ASSERT_FALSE(got->ok());
  EXPECT_NE(got->error().message.find("timed out"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST(RedisConnection, NobodyListeningFailsQuickly) {
  boost::asio::io_context io;
  ConnectionOptions o;
  o.port = testing::free_port();
  auto conn = Connection::create(io, o);
  std::optional<Result<Reply>> got;
  conn->send({"PING"}, [&](Result<Reply> r) { got = std::move(r); });
  run_until(io, [&] { return got.has_value(); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->error().code, Error::Code::kUnavailable);
}

}  // namespace
}  // namespace archway::redis

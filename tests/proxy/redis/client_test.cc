// The Redis client on one node and on a real three-primary Redis Cluster:
// every key reaches the node that owns its slot.

#include "proxy/redis/client.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "tests/proxy/redis/redis_server.h"

namespace archway::redis {
namespace {

using namespace std::chrono_literals;

template <typename Pred>
void run_until(boost::asio::io_context& io, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(10ms);
  }
}

TEST(ParseRedirection, ReadsSlotAndNode) {
  uint16_t slot = 0;
  NodeAddress to;
  ASSERT_TRUE(parse_redirection("MOVED 3999 127.0.0.1:6381", "MOVED", slot, to));
  EXPECT_EQ(slot, 3999);
  EXPECT_EQ(to.host, "127.0.0.1");
  EXPECT_EQ(to.port, 6381);
  ASSERT_TRUE(parse_redirection("ASK 1 ::1:7000", "ASK", slot, to));
  EXPECT_EQ(to.host, "::1");
  EXPECT_FALSE(parse_redirection("MOVED 3999 127.0.0.1:6381", "ASK", slot, to));
  EXPECT_FALSE(parse_redirection("MOVED 16384 h:1", "MOVED", slot, to));
  EXPECT_FALSE(parse_redirection("MOVED 1 h:0", "MOVED", slot, to));
  EXPECT_FALSE(parse_redirection("MOVED 1 h", "MOVED", slot, to));
  EXPECT_FALSE(parse_redirection("MOVED x h:1", "MOVED", slot, to));
}

TEST(RedisClient, EveryKeyReachesItsOwnerOnARealCluster) {
  ARCHWAY_REQUIRE_REDIS();
  testing::RedisCluster cluster;
  ASSERT_TRUE(cluster.ready()) << "redis-cli --cluster create failed";
  boost::asio::io_context io;
  ClientOptions o;
  o.cluster = true;
  o.seeds = {{"127.0.0.1", cluster.node(0).port()}};
  Client client(io, o);
  int stored = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "key-" + std::to_string(i);
    client.send(key, {"SET", key, std::to_string(i)}, [&](Result<Reply> r) {
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->text, "OK") << r->text;
      ++stored;
    });
  }
  run_until(io, [&] { return stored == 200; });
  ASSERT_EQ(stored, 200);
  // Once the slot map is known, nothing is redirected any more.
  const uint64_t redirections = client.redirections();
  int read = 0;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "key-" + std::to_string(i);
    client.send(key, {"GET", key}, [&, i](Result<Reply> r) {
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->text, std::to_string(i));
      ++read;
    });
  }
  run_until(io, [&] { return read == 200; });
  EXPECT_EQ(read, 200);
  EXPECT_EQ(client.redirections(), redirections);
}

TEST(RedisClient, ASingleNodeTakesEveryKey) {
  ARCHWAY_REQUIRE_REDIS();
  testing::RedisServer server;
  boost::asio::io_context io;
  ClientOptions o;
  o.seeds = {{"127.0.0.1", server.port()}};
  Client client(io, o);
  std::string got;
  client.send("a", {"SET", "a", "1"}, [](Result<Reply>) {});
  client.send("a", {"GET", "a"}, [&](Result<Reply> r) { got = r.ok() ? r->text : "failed"; });
  run_until(io, [&] { return !got.empty(); });
  EXPECT_EQ(got, "1");
}

}  // namespace
}  // namespace archway::redis

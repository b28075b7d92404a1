// The Global limits' Redis script on a real redis-server: the same grants
// as its C++ twin take_many, on Redis's clock, with an expiry that lets an
// idle bucket vanish.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "proxy/ratelimit/redis_script.h"
#include "proxy/redis/connection.h"
#include "tests/proxy/redis/redis_server.h"

namespace archway::ratelimit {
namespace {

using namespace std::chrono_literals;
using redis::Connection;
using redis::Reply;

class LeaseScript : public ::testing::Test {
 protected:
  void SetUp() override {
    ARCHWAY_REQUIRE_REDIS();
    server_.emplace();
    redis::ConnectionOptions o;
    o.port = server_->port();
    conn_ = Connection::create(io_, o);
  }

  Reply call(std::vector<std::string> args) {
    std::optional<Result<Reply>> got;
    conn_->send(std::move(args), [&](Result<Reply> r) { got = std::move(r); });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!got && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(5ms);
    }
    EXPECT_TRUE(got && got->ok());
    return got && got->ok() ? **got : Reply{};
  }

  struct Answer {
    int64_t granted, available, retry_us;
  };
  Answer lease(const std::string& key, const GcraLimit& limit, uint64_t want, uint64_t back) {
    std::vector<std::string> args = {"EVAL", std::string(kLeaseScript), "1", key};
    for (auto& a : lease_script_args(script_limit(limit), want, back)) args.push_back(a);
    const Reply r = call(std::move(args));
    EXPECT_EQ(r.type, Reply::Type::kArray) << r.text;
    if (r.elements.size() != 3) return {-1, -1, -1};
    return {r.elements[0].integer, r.elements[1].integer, r.elements[2].integer};
  }

  boost::asio::io_context io_;
  std::optional<redis::testing::RedisServer> server_;
  std::shared_ptr<Connection> conn_;
};

TEST_F(LeaseScript, GrantsReturnsAndRefusesLikeTakeMany) {
  const GcraLimit limit = GcraLimit::from(100, 10s, 0);
  const std::string key = bucket_redis_key("orders/rule-0", "203.0.113.7");
  Answer a = lease(key, limit, 60, 0);
  EXPECT_EQ(a.granted, 60);
  EXPECT_EQ(a.available, 40);
  a = lease(key, limit, 60, 0);
  EXPECT_EQ(a.granted, 40);
  a = lease(key, limit, 1, 0);
  // Unless 100 ms went by between calls, nothing is left and the answer
  // says when one token is back (a token every 100 ms).
  if (a.granted == 0) {
    EXPECT_GT(a.retry_us, 0);
    EXPECT_LE(a.retry_us, 100'000);
  }
  a = lease(key, limit, 50, 30);
  EXPECT_GE(a.granted, 30);  // the 30 handed back (plus any refill)
  EXPECT_LE(a.granted, 32);
}

TEST_F(LeaseScript, AnIdleBucketExpiresOnceFull) {
  const GcraLimit limit = GcraLimit::from(10, 1s, 0);
  const std::string key = bucket_redis_key("r", "k");
  (void)lease(key, limit, 5, 0);
  const Reply ttl = call({"PTTL", key});
  EXPECT_GT(ttl.integer, 0);
  EXPECT_LE(ttl.integer, 502);  // 5 tokens of 100 ms, plus a millisecond
  // Handing everything back makes the bucket full: nothing to keep.
  (void)lease(key, limit, 0, 5);
  EXPECT_EQ(call({"EXISTS", key}).integer, 0);
}

TEST_F(LeaseScript, HugeLimitsStayExact) {
  // A billion burst on a yearly quota: ticks coarser than a microsecond,
  // the capacity kept.
  const GcraLimit limit = GcraLimit::from(1, 24h * 365, 1'000'000'000);
  const ScriptLimit s = script_limit(limit);
  EXPECT_GT(s.tick_us, 1);
  const std::string key = bucket_redis_key("q", "k");
  const Answer a = lease(key, limit, 100'000, 0);
  EXPECT_EQ(a.granted, 100'000);
  EXPECT_EQ(a.available, 1'000'000'001 - 100'000);
}

TEST(BucketRedisKey, DigestsTheKeySoNoValueIsStoredInTheClear) {
  const std::string a = bucket_redis_key("orders/rule-0", "secret-tenant");
  EXPECT_EQ(a.rfind("archway:rl:", 0), 0u);
  EXPECT_EQ(a.size(), std::string("archway:rl:").size() + 32);
  EXPECT_EQ(a.find("secret"), std::string::npos);
  EXPECT_NE(a, bucket_redis_key("orders/rule-1", "secret-tenant"));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  EXPECT_NE(bucket_redis_key("ab", "c"), bucket_redis_key("a", "bc"));
}

}  // namespace
}  // namespace archway::ratelimit

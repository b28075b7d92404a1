// Global limits across "replicas" (several limiters in one test process)
// sharing one real redis-server: exact in total, local for almost every
// decision, and unavailable — then back — when Redis goes and returns.

#include "proxy/ratelimit/global/global_limiter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "tests/proxy/redis/redis_server.h"

namespace archway::ratelimit {
namespace {

using namespace std::chrono_literals;
using Outcome = GlobalAnswer::Outcome;

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

GlobalLimiterOptions options_for(uint16_t port) {
  GlobalLimiterOptions o;
  o.redis.seeds = {{"127.0.0.1", port}};
  o.redis.connection.reconnect_backoff = 50ms;
  o.probe_interval_ns = 100'000'000;
  return o;
}

std::shared_ptr<const GlobalLimit> limit_of(std::string id, uint64_t requests,
                                            std::chrono::nanoseconds period) {
  auto limit = std::make_shared<GlobalLimit>();
  limit->id = std::move(id);
  limit->gcra = GcraLimit::from(requests, period, 0);
  limit->script = script_limit(limit->gcra);
  return limit;
}

// One decision, waiting for Redis when the lease cannot decide.
GlobalAnswer decide_now(GlobalLimiter& limiter, const std::shared_ptr<const GlobalLimit>& limit,
                        std::string_view key) {
  auto promise = std::make_shared<std::promise<GlobalAnswer>>();
  auto future = promise->get_future();
  if (auto now = limiter.decide(limit, key, wall_ns(),
                                [promise](GlobalAnswer a) { promise->set_value(a); })) {
    return *now;
  }
  if (future.wait_for(5s) != std::future_status::ready) {
    ADD_FAILURE() << "no answer from the limiter";
    return {Outcome::kUnavailable};
  }
  return future.get();
}

TEST(GlobalLimiter, ThreeReplicasSkewedLetThroughExactlyTheBucket) {
  ARCHWAY_REQUIRE_REDIS();
  redis::testing::RedisServer server;
  GlobalLimiterOptions o = options_for(server.port());
  o.lease.lease_ns = 300'000'000;
  GlobalLimiter a(o);
  GlobalLimiter b(o);
  GlobalLimiter c(o);
  // 300 per hour: no token comes back during the test (one per 12 s).
  const auto limit = limit_of("orders/rule-0", 300, 3600s);
  int allowed = 0;
  for (int i = 0; i < 500; ++i) {
    GlobalLimiter& replica = i % 10 < 8 ? a : (i % 10 == 8 ? b : c);  // 80/10/10
    allowed += decide_now(replica, limit, "tenant-1").outcome == Outcome::kAllow;
  }
  // Never more than the bucket; what b and c leased but did not spend is
  // handed back once their leases end, and a spends it.
  EXPECT_LE(allowed, 300);
  std::this_thread::sleep_for(600ms);
  for (int i = 0; i < 100; ++i) {
    allowed += decide_now(a, limit, "tenant-1").outcome == Outcome::kAllow;
  }
  EXPECT_EQ(allowed, 300);
  // Almost every decision was local.
  const uint64_t calls = a.stats().redis_calls + b.stats().redis_calls + c.stats().redis_calls;
  EXPECT_LT(calls, 100u) << calls;
}

TEST(GlobalLimiter, ConcurrentRequestsForOneKeyShareOneCall) {
  ARCHWAY_REQUIRE_REDIS();
  redis::testing::RedisServer server;
  GlobalLimiter limiter(options_for(server.port()));
  const auto limit = limit_of("r", 1000, 3600s);
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        allowed += decide_now(limiter, limit, "k").outcome == Outcome::kAllow;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 200);
  EXPECT_LT(limiter.stats().redis_calls.load(), 30u);
}

TEST(GlobalLimiter, UnderTheLimitNinetyNinePercentOfDecisionsAreLocal) {
  ARCHWAY_REQUIRE_REDIS();
  redis::testing::RedisServer server;
  GlobalLimiter limiter(options_for(server.port()));
  const auto limit = limit_of("r", 60'000, 60s);
  int allowed = 0;
  for (int i = 0; i < 2000; ++i) {
    allowed += decide_now(limiter, limit, "k").outcome == Outcome::kAllow;
  }
  EXPECT_EQ(allowed, 2000);
  EXPECT_LE(limiter.stats().redis_calls.load() * 100, 2000u);
}

TEST(GlobalLimiter, RedisGoneIsUnavailableAndItsReturnIsNoticed) {
  ARCHWAY_REQUIRE_REDIS();
  redis::testing::RedisServer server;
  GlobalLimiterOptions o = options_for(server.port());
  o.lease.first_slice = 1;  // every decision asks: the outage shows at once
  o.lease.max_slice = 1;
  GlobalLimiter limiter(o);
  const auto limit = limit_of("r", 1'000'000, 1s);
  EXPECT_EQ(decide_now(limiter, limit, "k").outcome, Outcome::kAllow);
  server.stop();
  std::this_thread::sleep_for(1100ms);  // the lease ends
  EXPECT_EQ(decide_now(limiter, limit, "k").outcome, Outcome::kUnavailable);
  EXPECT_FALSE(limiter.stats().redis_up.load());
  server.start();
  Outcome outcome = Outcome::kUnavailable;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (outcome != Outcome::kAllow && std::chrono::steady_clock::now() < deadline) {
    outcome = decide_now(limiter, limit, "k").outcome;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(outcome, Outcome::kAllow);
  EXPECT_TRUE(limiter.stats().redis_up.load());
}

}  // namespace
}  // namespace archway::ratelimit

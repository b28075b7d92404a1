#include "proxy/balancing/balancer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "proxy/balancing/hash.h"

namespace archway::balancing {
namespace {

std::vector<std::string> names(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back("10.0.0." + std::to_string(i) + ":80");
  return out;
}

TEST(RoundRobin, HonoursWeightsSmoothly) {
  struct Case {
    std::vector<uint32_t> weights;
    std::vector<size_t> want;  // one full cycle
  } cases[] = {
      {{1, 1, 1}, {0, 1, 2, 0, 1, 2}},
      {{5, 1, 1}, {0, 0, 1, 0, 2, 0, 0}},  // nginx's example: no burst of five
      {{2, 1}, {0, 1, 0, 0, 1, 0}},
      {{1}, {0, 0, 0}},
  };
  for (const auto& c : cases) {
    const Balancer b(Policy::kRoundRobin, names(c.weights.size()), c.weights);
    WorkerState worker;
    std::vector<size_t> got;
    for (size_t k = 0; k < c.want.size(); ++k) {
      got.push_back(b.pick({std::nullopt, 0, worker.round_robin("c", b.size())}));
    }
    EXPECT_EQ(got, c.want);
  }
}

TEST(RoundRobin, LongRunSharesMatchWeights) {
  const Balancer b(Policy::kRoundRobin, names(3), {3, 2, 5});
  WorkerState worker;
  std::vector<int> count(3, 0);
  for (int k = 0; k < 1000; ++k) ++count[b.pick({std::nullopt, 0, worker.round_robin("c", 3)})];
  EXPECT_EQ(count, (std::vector<int>{300, 200, 500}));
}

TEST(LeastRequest, PrefersTheLessLoaded) {
  // Endpoint 0 has 10 in flight, the others none: whenever 0 is drawn
  // against another, the other wins, so 0 is never picked.
  const Balancer b(Policy::kLeastRequest, names(3), {1, 1, 1});
  std::vector<InFlight> busy;
  for (int k = 0; k < 10; ++k) busy.push_back(b.start(0));
  EXPECT_EQ(b.active(0), 10u);
  std::mt19937_64 rng(7);
  std::vector<int> count(3, 0);
  for (int k = 0; k < 3000; ++k) ++count[b.pick({std::nullopt, rng(), {}})];
  EXPECT_EQ(count[0], 0);
  EXPECT_NEAR(count[1], 1500, 150);
  EXPECT_NEAR(count[2], 1500, 150);
  busy.clear();
  EXPECT_EQ(b.active(0), 0u);
}

TEST(LeastRequest, TwoEndpointsAlwaysCompareBoth) {
  const Balancer b(Policy::kLeastRequest, names(2), {1, 1});
  auto held = b.start(1);
  std::mt19937_64 rng(1);
  for (int k = 0; k < 200; ++k) EXPECT_EQ(b.pick({std::nullopt, rng(), {}}), 0u);
}

TEST(LeastRequest, EqualLoadSpreadsEvenly) {
  const Balancer b(Policy::kLeastRequest, names(4), {1, 1, 1, 1});
  std::mt19937_64 rng(3);
  std::vector<int> count(4, 0);
  for (int k = 0; k < 8000; ++k) ++count[b.pick({std::nullopt, rng(), {}})];
  for (int c : count) EXPECT_NEAR(c, 2000, 200);
}

TEST(LeastRequest, LoadIsPerUnitOfWeight) {
  // 0 has weight 4 and 3 in flight ((3+1)/4 = 1), 1 has weight 1 and one
  // in flight ((1+1)/1 = 2): 0 is the less loaded.
  const Balancer b(Policy::kLeastRequest, names(2), {4, 1});
  std::vector<InFlight> held;
  for (int k = 0; k < 3; ++k) held.push_back(b.start(0));
  held.push_back(b.start(1));
  std::mt19937_64 rng(5);
  for (int k = 0; k < 100; ++k) EXPECT_EQ(b.pick({std::nullopt, rng(), {}}), 0u);
}

TEST(InFlight, MoveKeepsOneCount) {
  const Balancer b(Policy::kLeastRequest, names(2), {1, 1});
  InFlight a = b.start(1);
  InFlight moved = std::move(a);
  EXPECT_EQ(b.active(1), 1u);
  moved.release();
  moved.release();
  EXPECT_EQ(b.active(1), 0u);
}

TEST(ConsistentHash, SameKeySameEndpointAcrossWorkers) {
  const Balancer b(Policy::kConsistentHash, names(4), {1, 1, 1, 1});
  std::mt19937_64 rng(9);
  for (int k = 0; k < 100; ++k) {
    const uint64_t h = hash_key("tenant-" + std::to_string(k));
    const size_t first = b.pick({h, rng(), {}});
    for (int again = 0; again < 5; ++again) EXPECT_EQ(b.pick({h, rng(), {}}), first);
  }
}

TEST(ConsistentHash, NoKeyFallsBackToRandom) {
  const Balancer b(Policy::kConsistentHash, names(4), {1, 1, 1, 1});
  std::vector<int> count(4, 0);
  std::mt19937_64 rng(11);
  for (int k = 0; k < 4000; ++k) ++count[b.pick({std::nullopt, rng(), {}})];
  for (int c : count) EXPECT_NEAR(c, 1000, 150);
}

TEST(Balancer, SingleEndpointAlwaysZero) {
  for (Policy p : {Policy::kLeastRequest, Policy::kRoundRobin, Policy::kConsistentHash}) {
    const Balancer b(p, names(1), {1});
    EXPECT_EQ(b.pick({uint64_t{42}, 12345, {}}), 0u);
  }
}

}  // namespace
}  // namespace archway::balancing

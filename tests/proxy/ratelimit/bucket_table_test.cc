// One limit's buckets shared by worker threads: exact under contention,
// separate per key, bounded in memory, and restorable after a restart.

#include "proxy/ratelimit/bucket_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace archway::ratelimit {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'796'000'000 * kSecond;

TEST(BucketTable, KeysHaveTheirOwnBuckets) {
  BucketTable table(GcraLimit::from(2, 60s, 0), 1024);
  EXPECT_TRUE(table.take("alice", kStart).allowed);
  EXPECT_TRUE(table.take("alice", kStart).allowed);
  EXPECT_FALSE(table.take("alice", kStart).allowed);
  EXPECT_TRUE(table.take("bob", kStart).allowed);
  EXPECT_EQ(table.size(), 2u);
}

// Two workers (threads) on one key never let through more than the bucket
// holds: the exactness a per-worker bucket would lose (2× the limit).
TEST(BucketTable, ThreadsSharingOneKeyLetThroughExactlyTheCapacity) {
  constexpr uint64_t kCapacity = 5000;
  BucketTable table(GcraLimit::from(kCapacity, 3600s, 0), 1024);
  std::atomic<uint64_t> allowed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      uint64_t mine = 0;
      for (int i = 0; i < 4000; ++i) mine += table.take("tenant", kStart).allowed;
      allowed += mine;
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(allowed.load(), kCapacity);
}

TEST(BucketTable, PastTheCapForgetsFullBucketsBeforeOnesWithDebt) {
  // 16 shards × 1 key each: every new key in a shard evicts its old one.
  BucketTable table(GcraLimit::from(1, 60s, 0), BucketTable::kShards);
  for (int i = 0; i < 200; ++i) (void)table.take("key-" + std::to_string(i), kStart);
  EXPECT_LE(table.size(), BucketTable::kShards);
  EXPECT_EQ(table.evictions(), 200 - table.size());
  // Every evicted bucket had just been emptied: all of them held debt.
  EXPECT_EQ(table.evictions_with_debt(), table.evictions());

  // A minute later every bucket is full again: evicting them is free.
  BucketTable later(GcraLimit::from(1, 60s, 0), BucketTable::kShards);
  for (int i = 0; i < 200; ++i)
    (void)later.take("key-" + std::to_string(i), kStart + i * 61 * kSecond);
  EXPECT_GT(later.evictions(), 0u);
  EXPECT_EQ(later.evictions_with_debt(), 0u);
}

TEST(BucketTable, EvictionPrefersAFullBucketNearTheColdEnd) {
  BucketTable table(GcraLimit::from(1, 60s, 0), BucketTable::kShards * 3);
  // 48 idle keys fill the table; by `later` their buckets are full again,
  // so each shard gives them up before any busy key with debt.
  const int64_t later = kStart + 120 * kSecond;
  for (int i = 0; i < 48; ++i) (void)table.take("idle-" + std::to_string(i), kStart);
  const uint64_t idle_kept = table.size();  // shards are uneven: some overflowed already
  const uint64_t free_before = table.evictions() - table.evictions_with_debt();
  for (int i = 0; i < 200; ++i) (void)table.take("busy-" + std::to_string(i), later);
  EXPECT_EQ(table.evictions() - table.evictions_with_debt() - free_before, idle_kept);
}

TEST(BucketTable, SavedDebtSurvivesARestart) {
  const GcraLimit limit = GcraLimit::from(3, 3600s, 0);
  BucketTable before(limit, 1024);
  for (int i = 0; i < 3; ++i) (void)before.take("quota-user", kStart);
  (void)before.take("light-user", kStart - 7200 * kSecond);  // long since full again
  const auto saved = before.buckets_with_debt(kStart);
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].key, "quota-user");

  BucketTable after(limit, 1024);
  after.restore(saved, kStart + kSecond);
  EXPECT_FALSE(after.take("quota-user", kStart + kSecond).allowed);
  EXPECT_TRUE(after.take("quota-user", kStart + 1200 * kSecond).allowed);
}

TEST(BucketTable, RestoreNeverLowersALiveBucketsDebt) {
  const GcraLimit limit = GcraLimit::from(2, 60s, 0);
  BucketTable table(limit, 1024);
  (void)table.take("k", kStart);
  (void)table.take("k", kStart);
  table.restore({{"k", 0}}, kStart);
  EXPECT_FALSE(table.take("k", kStart).allowed);
}

}  // namespace
}  // namespace archway::ratelimit

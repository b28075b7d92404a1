// The process's cache store: LRU by bytes within the budget, variants,
// purge, retain by route fingerprint, concurrent use.

#include "proxy/cache/store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace archway::cache {
namespace {

std::shared_ptr<Entry> make(std::string key, std::string body, std::string host = "example.com",
                            std::string path = "/", uint64_t fingerprint = 1,
                            std::vector<std::pair<std::string, std::string>> vary = {}) {
  auto e = std::make_shared<Entry>();
  e->key = std::move(key);
  e->body = std::move(body);
  e->host = std::move(host);
  e->path = std::move(path);
  e->route_fingerprint = fingerprint;
  e->vary = std::move(vary);
  return e;
}

// Keys that land in one shard, so one shard's budget is what is tested.
std::vector<std::string> keys_in_one_shard(size_t n) {
  std::vector<std::string> out;
  const size_t shard = std::hash<std::string_view>{}("k0") % Store::kShards;
  for (int i = 0; out.size() < n; ++i) {
    std::string k = "k" + std::to_string(i);
    if (std::hash<std::string_view>{}(k) % Store::kShards == shard) out.push_back(k);
  }
  return out;
}

TEST(Store, FindsWhatWasInserted) {
  Store store(1 << 20);
  store.insert(make("a", "body"));
  const auto hit = store.find("a", {});
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, "body");
  EXPECT_EQ(store.find("b", {}), nullptr);
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.bytes(), hit->bytes());
}

TEST(Store, EvictsTheLeastRecentlyUsedToStayWithinTheShardBudget) {
  const auto keys = keys_in_one_shard(4);
  const size_t one = make(keys[0], std::string(1000, 'x'))->bytes();
  // Room for three entries per shard.
  Store store(Store::kShards * (3 * one + one / 2));
  for (int i = 0; i < 3; ++i) store.insert(make(keys[i], std::string(1000, 'x')));
  ASSERT_NE(store.find(keys[0], {}), nullptr);  // bumps keys[0]; keys[1] is now the oldest
  store.insert(make(keys[3], std::string(1000, 'x')));
  EXPECT_EQ(store.find(keys[1], {}), nullptr);
  EXPECT_NE(store.find(keys[0], {}), nullptr);
  EXPECT_NE(store.find(keys[2], {}), nullptr);
  EXPECT_NE(store.find(keys[3], {}), nullptr);
  EXPECT_EQ(store.evictions(), 1u);
  EXPECT_EQ(store.entries(), 3u);
  EXPECT_LE(store.bytes(), store.max_bytes() / Store::kShards);
}

TEST(Store, CountsBytesNotEntries) {
  const auto keys = keys_in_one_shard(3);
  const size_t small = make(keys[0], "")->bytes();
  Store store(Store::kShards * (small * 2 + small / 2 + 5000));
  store.insert(make(keys[0], ""));
  store.insert(make(keys[1], ""));
  store.insert(make(keys[2], std::string(5000, 'x')));  // needs one small one's room
  EXPECT_EQ(store.evictions(), 1u);
  EXPECT_EQ(store.find(keys[0], {}), nullptr);
  EXPECT_NE(store.find(keys[2], {}), nullptr);
}

TEST(Store, RefusesAnEntryLargerThanAShardAndDropsTheVariantItReplaces) {
  Store store(Store::kShards * 4096);
  store.insert(make("a", "small"));
  store.insert(make("a", std::string(8192, 'x')));
  EXPECT_EQ(store.find("a", {}), nullptr);
  EXPECT_EQ(store.entries(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
  EXPECT_EQ(store.evictions(), 0u);
}

TEST(Store, ReplacesTheSameVariant) {
  Store store(1 << 20);
  store.insert(make("a", "one"));
  store.insert(make("a", "two"));
  EXPECT_EQ(store.find("a", {})->body, "two");
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.evictions(), 0u);
}

TEST(Store, KeepsVariantsOfOneKeyApart) {
  Store store(1 << 20);
  store.insert(make("a", "html", "h", "/", 1, {{"accept", "text/html"}}));
  store.insert(make("a", "json", "h", "/", 1, {{"accept", "application/json"}}));
  EXPECT_EQ(store.find("a", {{"accept", "text/html"}})->body, "html");
  EXPECT_EQ(store.find("a", {{"accept", "application/json"}})->body, "json");
  EXPECT_EQ(store.find("a", {{"accept", "text/plain"}}), nullptr);
  EXPECT_EQ(store.entries(), 2u);
}

// RFC 9211 §2.2: a key stored under another Vary selection is a vary-miss,
// not a uri-miss; find says which.
TEST(Store, SaysWhetherAMissedKeyHasOtherVariants) {
  Store store(1 << 20);
  store.insert(make("a", "html", "h", "/", 1, {{"accept", "text/html"}}));
  bool stored = false;
  EXPECT_EQ(store.find("a", {{"accept", "text/plain"}}, &stored), nullptr);
  EXPECT_TRUE(stored);
  EXPECT_EQ(store.find("b", {{"accept", "text/html"}}, &stored), nullptr);
  EXPECT_FALSE(stored);
  EXPECT_NE(store.find("a", {{"accept", "text/html"}}, &stored), nullptr);
  EXPECT_TRUE(stored);
}

TEST(Store, ANinthVariantReplacesTheOldest) {
  Store store(1 << 20);
  for (int i = 0; i < 9; ++i) {
    store.insert(make("a", std::to_string(i), "h", "/", 1, {{"x", std::to_string(i)}}));
  }
  EXPECT_EQ(store.entries(), Store::kMaxVariants);
  EXPECT_EQ(store.find("a", {{"x", "0"}}), nullptr);
  EXPECT_NE(store.find("a", {{"x", "1"}}), nullptr);
  EXPECT_NE(store.find("a", {{"x", "8"}}), nullptr);
}

TEST(Store, EraseDropsEveryVariant) {
  Store store(1 << 20);
  store.insert(make("a", "1", "h", "/", 1, {{"x", "1"}}));
  store.insert(make("a", "2", "h", "/", 1, {{"x", "2"}}));
  store.insert(make("b", "3"));
  store.erase("a");
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_NE(store.find("b", {}), nullptr);
}

TEST(Store, PurgesAnExactPathOfAHost) {
  Store store(1 << 20);
  store.insert(make("1", "", "example.com", "/a"));
  store.insert(make("2", "", "example.com", "/a"));  // another query of /a
  store.insert(make("3", "", "example.com", "/ab"));
  store.insert(make("4", "", "other.com", "/a"));
  EXPECT_EQ(store.purge("Example.com:80", "/a", false), 2u);
  EXPECT_EQ(store.find("1", {}), nullptr);
  EXPECT_EQ(store.find("2", {}), nullptr);
  EXPECT_NE(store.find("3", {}), nullptr);
  EXPECT_NE(store.find("4", {}), nullptr);
}

TEST(Store, PurgesByPathPrefix) {
  Store store(1 << 20);
  store.insert(make("1", "", "example.com", "/img/a.png"));
  store.insert(make("2", "", "example.com", "/img/b/c.png"));
  store.insert(make("3", "", "example.com", "/index.html"));
  EXPECT_EQ(store.purge("example.com", "/img/", true), 2u);
  EXPECT_EQ(store.entries(), 1u);
  EXPECT_EQ(store.purge("example.com", "/", true), 1u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(Store, RetainsOnlyLiveRouteFingerprints) {
  Store store(1 << 20);
  store.insert(make("1", "", "h", "/", 10));
  store.insert(make("2", "", "h", "/", 20));
  store.insert(make("3", "", "h", "/", 30));
  store.retain({10, 30});
  EXPECT_NE(store.find("1", {}), nullptr);
  EXPECT_EQ(store.find("2", {}), nullptr);
  EXPECT_NE(store.find("3", {}), nullptr);
  EXPECT_EQ(store.entries(), 2u);
}

TEST(Store, AnEntryBeingServedOutlivesItsEviction) {
  Store store(1 << 20);
  store.insert(make("a", "still here"));
  const auto held = store.find("a", {});
  store.erase("a");
  EXPECT_EQ(held->body, "still here");
}

// Four threads insert, find and purge at once; run under ASan/TSan to see
// a race (the budget and counters must hold at the end).
TEST(Store, ConcurrentInsertAndFindFromFourThreads) {
  Store store(Store::kShards * 64 * 1024);
  std::atomic<uint64_t> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::string key = "k" + std::to_string((i * 7 + t) % 300);
        if (i % 3 == 0) {
          store.insert(make(key, std::string(static_cast<size_t>(100 + i % 900), 'x'), "h",
                            "/" + std::to_string(i % 10)));
        } else if (auto e = store.find(key, {})) {
          if (!e->body.empty()) hits.fetch_add(1);
        }
        if (i % 1000 == 999) store.purge("h", "/1", false);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_GT(hits.load(), 0u);
  EXPECT_LE(store.bytes(), store.max_bytes());
  uint64_t entries = 0, bytes = 0;
  for (int i = 0; i < 300; ++i) {
    if (auto e = store.find("k" + std::to_string(i), {})) {
      ++entries;
      bytes += e->bytes();
    }
  }
  EXPECT_EQ(store.entries(), entries);
  EXPECT_EQ(store.bytes(), bytes);
}

}  // namespace
}  // namespace archway::cache

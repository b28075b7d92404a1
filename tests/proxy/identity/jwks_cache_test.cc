// The process-wide JWKS cache: single-flight, the unknown-kid cool-down,
// stale keys on failure, the TTL from Cache-Control, and one source per
// URI, with an injected fetcher and explicit clock values.

#include "proxy/identity/jwks_cache.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/proxy/identity/token_forge.h"

namespace archway::identity {
namespace {

using std::chrono::seconds;

// A fetcher that records every fetch and completes it when the test says.
struct FakeIdp {
  std::vector<JwksFetchDone> pending;
  int fetches = 0;
  JwksFetcher fetcher() {
    return [this](const std::string&, JwksFetchDone done) {
      ++fetches;
      pending.push_back(std::move(done));
    };
  }
  void answer(const std::string& body, std::optional<seconds> max_age = std::nullopt) {
    auto all = std::move(pending);
    pending.clear();
    for (auto& done : all) done(JwksDocument{body, max_age});
  }
  void fail() {
    auto all = std::move(pending);
    pending.clear();
    for (auto& done : all) done(Error{Error::Code::kUnavailable, "", "down"});
  }
  void answer_status(int status) {
    auto all = std::move(pending);
    pending.clear();
    for (auto& done : all) done(JwksDocument{"", std::nullopt, status});
  }
};

std::string jwks_with(std::initializer_list<std::string_view> kids) {
  static auto key = testing::generate_ed25519();
  nlohmann::json keys = nlohmann::json::array();
  for (std::string_view kid : kids) keys.push_back(testing::public_jwk(key.get(), kid));
  return nlohmann::json{{"keys", keys}}.dump();
}

const JwksClock::time_point t0{std::chrono::hours(1000)};

TEST(JwksCache, ConcurrentFirstRequestsMakeOneFetchAndAllWaitersAreCalled) {
  JwksCache cache;
  auto source = cache.source("https://id/jwks");
  FakeIdp idp;
  int woken = 0;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [&] { ++woken; }));
  }
  EXPECT_EQ(idp.fetches, 1);
  EXPECT_EQ(source->keys(), nullptr);
  idp.answer(jwks_with({"a"}));
  EXPECT_EQ(woken, 100);
  ASSERT_NE(source->keys(), nullptr);
  EXPECT_EQ(source->keys()->keys().size(), 1u);
}

TEST(JwksCache, UnknownKidFloodFetchesAtMostOncePerCoolDown) {
  JwksCache cache;
  auto source = cache.source("https://id/jwks");
  FakeIdp idp;
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  idp.answer(jwks_with({"a"}));
  // A rotated key right after the first fetch is fetched at once.
  EXPECT_TRUE(
      source->request(JwksSource::Need::kUnknownKid, t0 + seconds(1), idp.fetcher(), [] {}));
  idp.answer(jwks_with({"a", "b"}));
  EXPECT_EQ(idp.fetches, 2);
  // Then a flood of random kids over the next 29 s: no fetch at all.
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(source->request(JwksSource::Need::kUnknownKid, t0 + seconds(2 + i % 28),
                                 idp.fetcher(), [] {}));
  }
  EXPECT_EQ(idp.fetches, 2);
  // Once the cool-down has passed, one more.
  EXPECT_TRUE(
      source->request(JwksSource::Need::kUnknownKid, t0 + seconds(31), idp.fetcher(), [] {}));
  // While it runs, more unknown kids wait for it instead of fetching again.
  EXPECT_TRUE(
      source->request(JwksSource::Need::kUnknownKid, t0 + seconds(32), idp.fetcher(), [] {}));
  idp.answer(jwks_with({"b"}));
  EXPECT_FALSE(
      source->request(JwksSource::Need::kUnknownKid, t0 + seconds(33), idp.fetcher(), [] {}));
  EXPECT_EQ(idp.fetches, 3);
}

TEST(JwksCache, FailedFetchKeepsTheStaleKeys) {
  JwksCache cache;
  auto source = cache.source("https://id/jwks");
  FakeIdp idp;
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  idp.answer(jwks_with({"a"}));
  source->refresh_if_stale(t0 + seconds(601), idp.fetcher());
  ASSERT_EQ(idp.fetches, 2);
  idp.fail();
  ASSERT_NE(source->keys(), nullptr);
  EXPECT_EQ(source->keys()->keys()[0].kid, "a");
  // An unusable document is a failure too.
  source->refresh_if_stale(t0 + seconds(700), idp.fetcher());
  ASSERT_EQ(idp.fetches, 3);
  idp.answer("{\"not\": \"a jwks\"}");
  ASSERT_NE(source->keys(), nullptr);
  EXPECT_EQ(source->keys()->keys()[0].kid, "a");
}

TEST(JwksCache, FirstFetchFailureIsRetriedOnlyAfterAPause) {
  JwksCache cache;
  auto source = cache.source("https://id/jwks");
  FakeIdp idp;
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  idp.fail();
  EXPECT_FALSE(
      source->request(JwksSource::Need::kFirstKeys, t0 + seconds(5), idp.fetcher(), [] {}));
  EXPECT_EQ(idp.fetches, 1);
  EXPECT_TRUE(
      source->request(JwksSource::Need::kFirstKeys, t0 + seconds(11), idp.fetcher(), [] {}));
  EXPECT_EQ(idp.fetches, 2);
}

TEST(JwksCache, TtlComesFromMaxAgeClampedToOneMinuteAndOneDay) {
  struct Case {
    std::optional<seconds> max_age;
    seconds ttl;
  };
  for (const Case c : {Case{std::nullopt, seconds(600)}, Case{seconds(5), seconds(60)},
                       Case{seconds(3600), seconds(3600)}, Case{seconds(900000), seconds(86400)}}) {
    JwksCache cache;
    auto source = cache.source("https://id/jwks");
    FakeIdp idp;
    ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
    idp.answer(jwks_with({"a"}), c.max_age);
    source->refresh_if_stale(t0 + c.ttl - seconds(1), idp.fetcher());
    EXPECT_EQ(idp.fetches, 1) << c.ttl.count();
    source->refresh_if_stale(t0 + c.ttl, idp.fetcher());
    EXPECT_EQ(idp.fetches, 2) << c.ttl.count();
    // A background refresh in flight is not started twice.
    source->refresh_if_stale(t0 + c.ttl, idp.fetcher());
    EXPECT_EQ(idp.fetches, 2) << c.ttl.count();
  }
}

TEST(JwksCache, OneSourcePerUriWhileSomeoneHoldsIt) {
  JwksCache cache;
  auto a = cache.source("https://id/jwks");
  EXPECT_EQ(cache.source("https://id/jwks"), a);
  EXPECT_NE(cache.source("https://other/jwks"), a);
}

TEST(JwksCache, AFetchLostWithItsWorkerStopsBlockingNewOnes) {
  JwksCache cache;
  auto source = cache.source("https://id/jwks");
  FakeIdp idp;
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  idp.pending.clear();  // never answered
  EXPECT_TRUE(
      source->request(JwksSource::Need::kFirstKeys, t0 + seconds(29), idp.fetcher(), [] {}));
  EXPECT_EQ(idp.fetches, 1);
  EXPECT_TRUE(
      source->request(JwksSource::Need::kFirstKeys, t0 + seconds(31), idp.fetcher(), [] {}));
  EXPECT_EQ(idp.fetches, 2);
}

// A clock the test moves by hand: what a fetch's end reads.
struct ManualClock {
  JwksClock::time_point now = t0;
  JwksClockFn fn() {
    return [this] { return now; };
  }
};

TEST(JwksCache, EveryFetchIsCountedByHowItEndedWithItsDuration) {
  ManualClock clock;
  JwksCache cache({}, clock.fn());
  auto source = cache.source("https://id/jwks");
  auto other = cache.source("https://other/jwks");
  FakeIdp idp;
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  clock.now = t0 + std::chrono::milliseconds(40);
  idp.answer(jwks_with({"a"}));
  ASSERT_TRUE(other->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  clock.now = t0 + seconds(3);
  idp.answer_status(503);
  ASSERT_TRUE(other->request(JwksSource::Need::kFirstKeys, t0 + seconds(20), idp.fetcher(), [] {}));
  clock.now = t0 + seconds(20);
  idp.fail();
  ASSERT_TRUE(other->request(JwksSource::Need::kFirstKeys, t0 + seconds(40), idp.fetcher(), [] {}));
  clock.now = t0 + seconds(40);
  idp.answer("{\"not\": \"a jwks\"}");

  const JwksFetchCounts counts = cache.fetch_counts();
  EXPECT_EQ(counts.by_result[static_cast<size_t>(JwksFetchResult::kSuccess)], 1u);
  EXPECT_EQ(counts.by_result[static_cast<size_t>(JwksFetchResult::kHttpError)], 1u);
  EXPECT_EQ(counts.by_result[static_cast<size_t>(JwksFetchResult::kUnreachable)], 1u);
  EXPECT_EQ(counts.by_result[static_cast<size_t>(JwksFetchResult::kInvalidJwks)], 1u);
  EXPECT_EQ(counts.count, 4u);
  EXPECT_DOUBLE_EQ(counts.seconds_sum, 3.04);
  // 40 ms in the (0.025, 0.05] bucket, 3 s in (2.5, 5], two instant ones in the first.
  EXPECT_EQ(counts.buckets[0], 2u);
  EXPECT_EQ(counts.buckets[3], 1u);
  EXPECT_EQ(counts.buckets[9], 1u);
  EXPECT_EQ(counts.buckets[10], 0u);
}

TEST(JwksCache, StatusSaysFailingWithTheErrorUntilAFetchSucceeds) {
  ManualClock clock;
  JwksCache cache({}, clock.fn());
  auto source = cache.source("https://id/jwks");
  FakeIdp idp;
  EXPECT_EQ(source->status(t0).state, JwksSourceStatus::State::kPending);
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, t0, idp.fetcher(), [] {}));
  idp.answer_status(502);
  JwksSourceStatus status = source->status(t0 + seconds(5));
  EXPECT_EQ(status.state, JwksSourceStatus::State::kFailing);
  EXPECT_EQ(status.error, "the JWKS endpoint answered 502");
  EXPECT_EQ(status.keys, 0u);
  EXPECT_EQ(status.failing_for, seconds(5));
  EXPECT_FALSE(status.since_success);

  clock.now = t0 + seconds(11);
  ASSERT_TRUE(source->request(JwksSource::Need::kFirstKeys, clock.now, idp.fetcher(), [] {}));
  idp.answer(jwks_with({"a", "b"}));
  status = source->status(t0 + seconds(12));
  EXPECT_EQ(status.state, JwksSourceStatus::State::kReady);
  EXPECT_EQ(status.error, "");
  EXPECT_EQ(status.keys, 2u);
  EXPECT_EQ(status.since_success, seconds(1));
  EXPECT_FALSE(status.failing_for);

  // A refresh that fails later: failing, with the stale keys still counted.
  clock.now = t0 + seconds(700);
  source->refresh_if_stale(clock.now, idp.fetcher());
  idp.fail();
  status = source->status(t0 + seconds(700));
  EXPECT_EQ(status.state, JwksSourceStatus::State::kFailing);
  EXPECT_EQ(status.error, "down");
  EXPECT_EQ(status.keys, 2u);
  EXPECT_EQ(status.since_success, seconds(689));

  // The cache lists the sources that are still held, by URI.
  auto dropped = cache.source("https://gone/jwks");
  dropped.reset();
  const auto all = cache.statuses();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].uri, "https://id/jwks");
  EXPECT_EQ(all[0].state, JwksSourceStatus::State::kFailing);
}

}  // namespace
}  // namespace archway::identity

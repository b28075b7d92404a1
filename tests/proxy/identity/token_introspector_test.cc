// TokenIntrospector with a fake endpoint and a fake clock: caching bounded
// by exp and cacheTTL, negative caching, coalescing, failing closed and the
// stale grace. No network.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "proxy/identity/token_introspector.h"

namespace archway::identity {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = IntrospectionClock;

constexpr int64_t kStart = 1'700'000'000;

// The endpoint under the test's control: calls are recorded and completed
// when the test says, or at once with a canned answer.
class FakeEndpoint {
 public:
  EndpointCall call() {
    return [this](const std::string& url, IntrospectionRequest request, EndpointComplete done) {
      std::lock_guard lock(mutex_);
      ++calls_;
      last_url_ = url;
      last_body_ = request.body;
      if (answer_now_) {
        auto answer = *answer_now_;
        done(answer);
      } else {
        pending_.push_back(std::move(done));
      }
    };
  }
  void answer_at_once(std::optional<EndpointResponse> response) {
    answer_now_ = std::move(response);
  }
  void complete_pending(std::optional<EndpointResponse> response) {
    std::vector<EndpointComplete> pending;
    {
      std::lock_guard lock(mutex_);
      pending.swap(pending_);
    }
    for (auto& done : pending) done(response);
  }
  int calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::string last_body() const {
    std::lock_guard lock(mutex_);
    return last_body_;
  }

 private:
  mutable std::mutex mutex_;
  int calls_ = 0;
  std::string last_url_;
  std::string last_body_;
  std::optional<std::optional<EndpointResponse>> answer_now_;
  std::vector<EndpointComplete> pending_;
};

EndpointResponse active(int64_t exp, std::string scope = "orders:read") {
  return {200, R"({"active": true, "sub": "user-1", "scope": ")" + scope + R"(", "exp": )" +
                   std::to_string(exp) + "}"};
}
const EndpointResponse kInactive{200, R"({"active": false})"};

class TokenIntrospectorTest : public testing::Test {
 protected:
  std::shared_ptr<TokenIntrospector> make(IntrospectionPolicy p = base_policy(),
                                          TokenIntrospector::Limits limits = {}) {
    return TokenIntrospector::create(
        std::move(p), [this] { return now_; }, limits);
  }
  static IntrospectionPolicy base_policy() {
    IntrospectionPolicy p;
    p.endpoint = "https://id.example.com/oauth2/introspect";
    p.client_id = "gateway";
    p.client_secret = "s3cret";
    p.required_scopes = {"orders:read"};
    p.cache_ttl = seconds(30);
    p.negative_cache_ttl = seconds(5);
    p.clock_skew = seconds(0);
    return p;
  }
  // The decision, whether it came at once or through the callback.
  std::optional<IntrospectionDecision> lookup(TokenIntrospector& introspector,
                                              std::string_view token) {
    std::optional<IntrospectionDecision> later;
    auto now = introspector.introspect(token, endpoint_.call(),
                                       [&](IntrospectionDecision d) { later = std::move(d); });
    return now ? now : later;
  }
  static std::string label(const std::optional<IntrospectionDecision>& d) {
    if (!d) return "pending";
    return d->ok() ? "ok" : std::string(failure_label(d->error()));
  }
  void advance(Clock::duration by) { now_ += by; }

  Clock::time_point now_{seconds(kStart)};
  FakeEndpoint endpoint_;
};

TEST_F(TokenIntrospectorTest, ActiveTokenIsAskedOnceThenCached) {
  auto introspector = make();
  endpoint_.answer_at_once(active(kStart + 3600));
  const auto first = lookup(*introspector, "opaque-token-1");
  ASSERT_TRUE(first && first->ok());
  EXPECT_EQ(first->value()->subject, "user-1");
  EXPECT_EQ(endpoint_.last_body(), "token=opaque-token-1&token_type_hint=access_token");
  EXPECT_EQ(label(lookup(*introspector, "opaque-token-1")), "ok");
  EXPECT_EQ(endpoint_.calls(), 1);
  EXPECT_EQ(introspector->stats().cache_hits, 1u);
}

TEST_F(TokenIntrospectorTest, CacheLifetimeIsCacheTtlWhenExpIsLater) {
  auto introspector = make();
  endpoint_.answer_at_once(active(kStart + 3600));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  advance(seconds(29));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  EXPECT_EQ(endpoint_.calls(), 1);
  advance(seconds(1));  // cacheTTL reached: asked again (a revocation shows within cacheTTL)
  endpoint_.answer_at_once(kInactive);
  EXPECT_EQ(label(lookup(*introspector, "tok")), "inactive");
  EXPECT_EQ(endpoint_.calls(), 2);
}

TEST_F(TokenIntrospectorTest, CacheLifetimeIsBoundedByExp) {
  auto introspector = make();
  endpoint_.answer_at_once(active(kStart + 10));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  advance(seconds(9));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  EXPECT_EQ(endpoint_.calls(), 1);
  advance(seconds(1));  // exp reached, long before cacheTTL: the entry is gone
  endpoint_.answer_at_once(active(kStart + 10));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "expired");
  EXPECT_EQ(endpoint_.calls(), 2);
}

TEST_F(TokenIntrospectorTest, InactiveAnswersAreCachedForTheShorterNegativeTtl) {
  auto introspector = make();
  endpoint_.answer_at_once(kInactive);
  EXPECT_EQ(label(lookup(*introspector, "revoked")), "inactive");
  advance(seconds(4));
  EXPECT_EQ(label(lookup(*introspector, "revoked")), "inactive");
  EXPECT_EQ(endpoint_.calls(), 1);
  advance(seconds(1));
  EXPECT_EQ(label(lookup(*introspector, "revoked")), "inactive");
  EXPECT_EQ(endpoint_.calls(), 2);
}

TEST_F(TokenIntrospectorTest, ZeroCacheTtlAsksEveryTime) {
  IntrospectionPolicy p = base_policy();
  p.cache_ttl = milliseconds(0);
  auto introspector = make(p);
  endpoint_.answer_at_once(active(kStart + 3600));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  EXPECT_EQ(endpoint_.calls(), 2);
}

TEST_F(TokenIntrospectorTest, ScopeIsCheckedPerPolicyOnCachedAnswers) {
  auto introspector = make();
  endpoint_.answer_at_once(active(kStart + 3600, "orders:write"));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "insufficient_scope");
  EXPECT_EQ(label(lookup(*introspector, "tok")), "insufficient_scope");
  EXPECT_EQ(endpoint_.calls(), 1);  // the answer is cached; the verdict is the policy's
}

TEST_F(TokenIntrospectorTest, MalformedTokenNeverReachesTheEndpoint) {
  auto introspector = make();
  EXPECT_EQ(label(lookup(*introspector, "a b")), "malformed");
  EXPECT_EQ(label(lookup(*introspector, "")), "malformed");
  EXPECT_EQ(label(lookup(*introspector, std::string(16 * 1024 + 1, 'a'))), "malformed");
  EXPECT_EQ(endpoint_.calls(), 0);
}

TEST_F(TokenIntrospectorTest, ThousandConcurrentLookupsMakeOneEndpointCall) {
  auto introspector = make();
  constexpr int kThreads = 10;
  constexpr int kPerThread = 100;
  std::atomic<int> answered_at_once{0};
  std::atomic<int> ok{0};
  std::atomic<int> callbacks{0};
  std::vector<std::thread> threads;
  const EndpointCall call = endpoint_.call();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        auto now =
            introspector->introspect("shared-opaque-token", call, [&](IntrospectionDecision d) {
              callbacks.fetch_add(1);
              if (d.ok()) ok.fetch_add(1);
            });
        if (now) answered_at_once.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(endpoint_.calls(), 1);
  EXPECT_EQ(answered_at_once.load(), 0);
  EXPECT_EQ(callbacks.load(), 0);  // nobody answered before the endpoint did
  endpoint_.complete_pending(active(kStart + 3600));
  EXPECT_EQ(callbacks.load(), kThreads * kPerThread);
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(introspector->stats().coalesced, uint64_t{kThreads * kPerThread - 1});
  // And the next one is a cache hit.
  EXPECT_EQ(label(lookup(*introspector, "shared-opaque-token")), "ok");
  EXPECT_EQ(endpoint_.calls(), 1);
}

TEST_F(TokenIntrospectorTest, EndpointDownFailsClosedAndIsNotCached) {
  auto introspector = make();
  endpoint_.answer_at_once(std::nullopt);
  EXPECT_EQ(label(lookup(*introspector, "tok")), "endpoint_unavailable");
  endpoint_.answer_at_once(EndpointResponse{500, "oops"});
  EXPECT_EQ(label(lookup(*introspector, "tok")), "endpoint_error");
  endpoint_.answer_at_once(active(kStart + 3600));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  EXPECT_EQ(endpoint_.calls(), 3);
  EXPECT_EQ(introspector->cached_entries(), 1u);
}

TEST_F(TokenIntrospectorTest, StaleGraceIsOffByDefault) {
  auto introspector = make();
  endpoint_.answer_at_once(active(kStart + 3600));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  advance(seconds(31));
  endpoint_.answer_at_once(std::nullopt);
  EXPECT_EQ(label(lookup(*introspector, "tok")), "endpoint_unavailable");
}

TEST_F(TokenIntrospectorTest, StaleGraceServesActiveAnswersWhileTheEndpointFails) {
  IntrospectionPolicy p = base_policy();
  p.stale_grace = seconds(60);
  auto introspector = make(p);
  endpoint_.answer_at_once(active(kStart + 75));
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  endpoint_.answer_at_once(kInactive);
  EXPECT_EQ(label(lookup(*introspector, "revoked")), "inactive");

  advance(seconds(31));  // past cacheTTL, within the grace
  endpoint_.answer_at_once(std::nullopt);
  EXPECT_EQ(label(lookup(*introspector, "tok")), "ok");
  EXPECT_EQ(introspector->stats().stale_served, 1u);
  // Inactive answers never stand in, and the grace never outlives exp.
  EXPECT_EQ(label(lookup(*introspector, "revoked")), "endpoint_unavailable");
  advance(seconds(44));  // kStart + 75: exp
  EXPECT_EQ(label(lookup(*introspector, "tok")), "endpoint_unavailable");
}

TEST_F(TokenIntrospectorTest, OnlyAnAnswerServedFromTheGraceIsMarkedStale) {
  IntrospectionPolicy p = base_policy();
  p.stale_grace = seconds(60);
  auto introspector = make(p);
  endpoint_.answer_at_once(active(kStart + 3600));
  const auto asked = lookup(*introspector, "tok");
  ASSERT_TRUE(asked && asked->ok());
  EXPECT_FALSE(asked->value().stale);
  const auto hit = lookup(*introspector, "tok");
  ASSERT_TRUE(hit && hit->ok());
  EXPECT_FALSE(hit->value().stale);
  advance(seconds(31));
  endpoint_.answer_at_once(EndpointResponse{502, "bad gateway"});  // 5xx: as unreachable
  const auto stale = lookup(*introspector, "tok");
  ASSERT_TRUE(stale && stale->ok());
  EXPECT_TRUE(stale->value().stale);
  EXPECT_EQ(stale->value()->subject, "user-1");
}

TEST_F(TokenIntrospectorTest, SizeIsBoundedByEvictingTheLeastRecentlyUsed) {
  auto introspector = make(base_policy(), TokenIntrospector::Limits{8, 1});
  endpoint_.answer_at_once(active(kStart + 3600));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(label(lookup(*introspector, "token-" + std::to_string(i))), "ok");
  }
  EXPECT_EQ(introspector->cached_entries(), 8u);
  EXPECT_EQ(endpoint_.calls(), 20);
  EXPECT_EQ(label(lookup(*introspector, "token-19")), "ok");  // kept
  EXPECT_EQ(endpoint_.calls(), 20);
  EXPECT_EQ(label(lookup(*introspector, "token-0")), "ok");  // evicted: asked again
  EXPECT_EQ(endpoint_.calls(), 21);
}

TEST_F(TokenIntrospectorTest, ACallInFlightKeepsItsIntrospectorAlive) {
  auto introspector = make();
  std::optional<IntrospectionDecision> later;
  ASSERT_FALSE(introspector->introspect("tok", endpoint_.call(),
                                        [&](IntrospectionDecision d) { later = std::move(d); }));
  introspector.reset();  // a snapshot swap while the endpoint is asked
  endpoint_.complete_pending(active(kStart + 3600));
  EXPECT_EQ(label(later), "ok");
}

}  // namespace
}  // namespace archway::identity

#pragma once
// JWK Sets fetched from a `jwksUri`, one entry per URI for the whole process
// (docs/auth.md "JWKS caching"): every route and every worker naming the
// same URI shares its keys and its fetches, and the entries outlive snapshot
// swaps, so a new snapshot does not refetch.
//
// The cache decides when to fetch; it never fetches itself. The caller
// passes a JwksFetcher (the JWT filter's uses its worker's outbound client)
// and every `now`, so the rules are testable without a network or a clock:
//   - single-flight: one fetch in flight per URI; whoever needs keys while
//     it runs queues a waiter that is called when it ends;
//   - refresh on a TTL (Cache-Control max-age clamped to [1 min, 24 h],
//     10 min without one), in the background: the current keys serve on;
//   - refresh on an unknown kid, at most once per cool-down (30 s) per URI,
//     so a flood of random kids costs at most one fetch per cool-down;
//   - a failed fetch keeps the keys it would have replaced (stale keys
//     serve while the issuer is down) and is retried after 10 s at the
//     earliest.
// Each source also remembers how its fetches went (status(): the admin
// API's GET /jwks), and the cache counts them all (fetch_counts(): the
// metrics); both read the clock the cache was given, never the system's.
// Thread-safe: workers are threads. Waiters are called on the thread that
// completes the fetch, outside the lock; they post to their own loop.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "proxy/identity/jwk_set.h"
#include "proxy/identity/jwks_fetch_stats.h"

namespace archway::identity {

using JwksClock = std::chrono::steady_clock;
// When a fetch ended (its duration, the source's status); tests inject one.
using JwksClockFn = std::function<JwksClock::time_point()>;

// What a fetch brought back: a response's body, its Cache-Control max-age,
// if any, and its status; only a 200 counts.
struct JwksDocument {
  std::string body;
  std::optional<std::chrono::seconds> max_age;
  int status = 200;
};
using JwksFetchDone = std::function<void(Result<JwksDocument>)>;
// Starts one fetch of `uri`; `done` is called exactly once, on any thread,
// possibly before the fetcher returns.
using JwksFetcher = std::function<void(const std::string& uri, JwksFetchDone done)>;
// Called once when the fetch it waits on has ended (keys or not).
using JwksWaiter = std::function<void()>;

struct JwksTiming {
  std::chrono::seconds default_ttl{600};
  std::chrono::seconds min_ttl{60};
  std::chrono::seconds max_ttl{24 * 3600};
  std::chrono::seconds unknown_kid_cooldown{30};
  std::chrono::seconds retry_after_failure{10};
  // A fetch that never reported back (its worker stopped) stops blocking
  // new ones after this long.
  std::chrono::seconds lost_fetch{30};
};

// How a source's fetches stand, for the admin API and, through it, the
// APIRoute's JWKSReady condition (docs/auth.md).
struct JwksSourceStatus {
  enum class State {
    kPending,  // no fetch has ended yet
    kReady,    // the last fetch succeeded
    kFailing,  // the last fetch failed (keys > 0: stale keys serve)
  };
  std::string uri;
  State state = State::kPending;
  size_t keys = 0;    // usable keys serving now
  std::string error;  // why the last fetch failed (kFailing only)
  // Since the last success and since the first failure after it.
  std::optional<std::chrono::seconds> since_success;
  std::optional<std::chrono::seconds> failing_for;
};
[[nodiscard]] std::string_view jwks_source_state_name(JwksSourceStatus::State state);

// One URI's keys and fetch state.
class JwksSource : public std::enable_shared_from_this<JwksSource> {
 public:
  JwksSource(std::string uri, JwksTiming timing, std::shared_ptr<JwksFetchStats> stats = nullptr,
             JwksClockFn clock = nullptr);
  JwksSource(const JwksSource&) = delete;
  JwksSource& operator=(const JwksSource&) = delete;

  // The keys of the last successful fetch; null before the first one.
  [[nodiscard]] std::shared_ptr<const JwkSet> keys() const;

  enum class Need {
    kFirstKeys,   // keys() is null
    kUnknownKid,  // a token names a kid the current keys lack
  };
  // Asks for (new) keys. True: a fetch is in flight (started now through
  // `fetch`, or already running) and `waiter` will be called when it ends.
  // False: no fetch now (cool-down, or a failure too recent); the caller
  // decides with the keys it has, and `waiter` is dropped.
  [[nodiscard]] bool request(Need need, JwksClock::time_point now, const JwksFetcher& fetch,
                             JwksWaiter waiter);
  // Starts a background refresh through `fetch` if the keys' TTL has
  // passed and none is in flight. Cheap when nothing is due.
  void refresh_if_stale(JwksClock::time_point now, const JwksFetcher& fetch);

  [[nodiscard]] const std::string& uri() const { return uri_; }
  // Fetches started so far (tests, metrics).
  [[nodiscard]] uint64_t fetches_started() const;
  [[nodiscard]] JwksSourceStatus status(JwksClock::time_point now) const;

 private:
  // Under mu_: marks a fetch in flight. The caller starts it after unlocking.
  [[nodiscard]] bool begin_fetch_locked(JwksClock::time_point now);
  void start_fetch(const JwksFetcher& fetch, JwksClock::time_point now);
  void finish(Result<JwksDocument> document, JwksClock::time_point started);
  [[nodiscard]] JwksClock::time_point now() const { return clock_ ? clock_() : JwksClock::now(); }
  [[nodiscard]] std::chrono::seconds ttl_for(std::optional<std::chrono::seconds> max_age) const;

  const std::string uri_;
  const JwksTiming timing_;
  const std::shared_ptr<JwksFetchStats> stats_;
  const JwksClockFn clock_;
  mutable std::mutex mu_;
  std::shared_ptr<const JwkSet> keys_;
  JwksClock::time_point refresh_at_{};  // the TTL's end (or the next retry after a failure)
  std::optional<JwksClock::time_point> in_flight_since_;
  std::optional<JwksClock::time_point> last_unknown_kid_fetch_;
  std::optional<JwksClock::time_point> last_failure_;
  std::vector<JwksWaiter> waiters_;
  uint64_t fetches_started_ = 0;
  // For status(): when fetches ended, and the last failure's text.
  std::optional<JwksClock::time_point> last_success_end_;
  std::optional<JwksClock::time_point> failing_since_;
  std::string last_error_;
};

// The process's sources, by URI. Owned by the server (never a global) and
// handed to where filter chains are compiled; a source lives as long as a
// compiled chain holds it, so a swap that keeps a URI keeps its keys.
class JwksCache {
 public:
  explicit JwksCache(JwksTiming timing = {}, JwksClockFn clock = nullptr)
      : timing_(timing), clock_(std::move(clock)) {}
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The source for `uri`, made on first use. Control thread (chain
  // compilation), but safe from any.
  [[nodiscard]] std::shared_ptr<JwksSource> source(const std::string& uri);

  // Every source some compiled chain still holds.
  [[nodiscard]] std::vector<std::shared_ptr<JwksSource>> live_sources() const;
  // Their status, by URI.
  [[nodiscard]] std::vector<JwksSourceStatus> statuses() const;
  // Every fetch of every source so far, including sources since dropped.
  [[nodiscard]] JwksFetchCounts fetch_counts() const { return stats_->counts(); }

 private:
  const JwksTiming timing_;
  const JwksClockFn clock_;
  const std::shared_ptr<JwksFetchStats> stats_ = std::make_shared<JwksFetchStats>();
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<JwksSource>> sources_;
};

}  // namespace archway::identity

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

namespace archway::identity {

using JwksClock = std::chrono::steady_clock;

// What a fetch brought back: the body of a 200 response and its
// Cache-Control max-age, if any.
struct JwksDocument {
  std::string body;
  std::optional<std::chrono::seconds> max_age;
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

// One URI's keys and fetch state.
class JwksSource : public std::enable_shared_from_this<JwksSource> {
 public:
  JwksSource(std::string uri, JwksTiming timing) : uri_(std::move(uri)), timing_(timing) {}
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

 private:
  // Under mu_: marks a fetch in flight. The caller starts it after unlocking.
  [[nodiscard]] bool begin_fetch_locked(JwksClock::time_point now);
  void start_fetch(const JwksFetcher& fetch, JwksClock::time_point now);
  void finish(Result<JwksDocument> document, JwksClock::time_point started);
  [[nodiscard]] std::chrono::seconds ttl_for(std::optional<std::chrono::seconds> max_age) const;

  const std::string uri_;
  const JwksTiming timing_;
  mutable std::mutex mu_;
  std::shared_ptr<const JwkSet> keys_;
  JwksClock::time_point refresh_at_{};  // the TTL's end (or the next retry after a failure)
  std::optional<JwksClock::time_point> in_flight_since_;
  std::optional<JwksClock::time_point> last_unknown_kid_fetch_;
  std::optional<JwksClock::time_point> last_failure_;
  std::vector<JwksWaiter> waiters_;
  uint64_t fetches_started_ = 0;
};

// The process's sources, by URI. Owned by the server (never a global) and
// handed to where filter chains are compiled; a source lives as long as a
// compiled chain holds it, so a swap that keeps a URI keeps its keys.
class JwksCache {
 public:
  explicit JwksCache(JwksTiming timing = {}) : timing_(timing) {}
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The source for `uri`, made on first use. Control thread (chain
  // compilation), but safe from any.
  [[nodiscard]] std::shared_ptr<JwksSource> source(const std::string& uri);

 private:
  const JwksTiming timing_;
  std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<JwksSource>> sources_;
};

}  // namespace archway::identity

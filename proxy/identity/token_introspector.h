#pragma once
// OAuth2 token introspection (RFC 7662) for one policy, shared by every
// worker of the process (docs/auth.md "OAuth2 token introspection"):
//
// - answers by token digest from a sharded, bounded cache
//   (introspection_cache.h), active and inactive alike;
// - coalesces: while the endpoint is being asked about a token, further
//   lookups of that token join the call in flight instead of making their
//   own, and each gets the answer through its own callback;
// - fails closed when the endpoint is down (kEndpointUnavailable /
//   kEndpointError → 503), unless a stale active answer is within its grace.
//
// It does no I/O itself: the caller passes the function that asks the
// endpoint (EndpointCall). The real one is OutboundIntrospectionCaller
// (proxy/identity/outbound), one per worker, owning the fetch; tests pass a
// fake. Thread-safe: introspect() may be called from any worker at once.
// The clock is injected.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "proxy/identity/introspection_cache.h"
#include "proxy/identity/introspection_failure.h"
#include "proxy/identity/introspection_policy.h"
#include "proxy/identity/introspection_request.h"
#include "proxy/identity/introspection_response.h"
#include "proxy/identity/sha256.h"

namespace archway::identity {

// What the endpoint sent back: any status (parse_introspection_response
// judges it).
struct EndpointResponse {
  int status = 0;
  std::string body;
};

// Asks the endpoint once. `complete` must be called exactly once, from any
// thread, with the response, or nullopt when there was none (connect, TLS,
// timeout, reset, the caller shutting down). It may be called before the
// function returns.
using EndpointComplete = std::function<void(std::optional<EndpointResponse>)>;
using EndpointCall =
    std::function<void(const std::string& url, IntrospectionRequest request, EndpointComplete)>;

// An active token's introspection as one lookup got it. `stale`: taken
// from a cache entry past its cacheTTL, within the stale grace, because the
// endpoint failed; the filter counts those (docs/auth.md "Stale grace").
struct IntrospectedToken {
  std::shared_ptr<const TokenIntrospection> token;  // shares the cached answer
  bool stale = false;

  const TokenIntrospection* operator->() const { return token.get(); }
  const TokenIntrospection& operator*() const { return *token; }
};

// The verdict on one request's token: its introspection, or why not.
using IntrospectionDecision = Result<IntrospectedToken, IntrospectionFailure>;

struct IntrospectorStats {
  uint64_t endpoint_calls = 0;
  uint64_t cache_hits = 0;
  uint64_t coalesced = 0;     // lookups that joined a call in flight
  uint64_t stale_served = 0;  // answers given from a stale entry while the endpoint failed
};

class TokenIntrospector : public std::enable_shared_from_this<TokenIntrospector> {
 public:
  using Clock = std::function<IntrospectionClock::time_point()>;
  // Runs once per lookup that was not answered at once, on the thread that
  // completed the endpoint call (another worker's, possibly): a caller
  // posts it to its own worker and must cope with its request being gone.
  using Done = std::function<void(IntrospectionDecision)>;

  struct Limits {
    size_t max_entries = 100000;  // all shards together
    size_t shards = 16;           // locks: lookups of different tokens rarely wait on each other
  };

  // Shared: a call in flight keeps its introspector alive until it
  // completes, so a snapshot swap while waiting is safe.
  [[nodiscard]] static std::shared_ptr<TokenIntrospector> create(IntrospectionPolicy policy,
                                                                 Clock clock, Limits limits);
  [[nodiscard]] static std::shared_ptr<TokenIntrospector> create(IntrospectionPolicy policy,
                                                                 Clock clock) {
    return create(std::move(policy), std::move(clock), Limits{});
  }
  TokenIntrospector(const TokenIntrospector&) = delete;
  TokenIntrospector& operator=(const TokenIntrospector&) = delete;

  // The decision now, when the cache (or the token's form) gives it; else
  // nullopt, and `done` runs once the endpoint answered. `call` is used
  // only when this lookup is the one that asks the endpoint.
  [[nodiscard]] std::optional<IntrospectionDecision> introspect(std::string_view token,
                                                                const EndpointCall& call,
                                                                Done done);

  [[nodiscard]] const IntrospectionPolicy& policy() const { return policy_; }
  [[nodiscard]] IntrospectorStats stats() const;
  [[nodiscard]] size_t cached_entries() const;

 private:
  TokenIntrospector(IntrospectionPolicy policy, Clock clock, Limits limits);

  struct Shard {
    mutable std::mutex mutex;
    IntrospectionCache cache;
    // Waiters per token digest while its call is in flight.
    std::unordered_map<Sha256Digest, std::vector<Done>, Sha256DigestHash> in_flight;
    explicit Shard(size_t capacity) : cache(capacity) {}
  };

  Shard& shard_for(const Sha256Digest& key);
  void on_endpoint_answer(const Sha256Digest& key, std::optional<EndpointResponse> response);
  // How long `answer` may be reused; nullopt: not cached.
  [[nodiscard]] std::optional<CachedIntrospection> cache_entry(
      SharedIntrospection answer, IntrospectionClock::time_point now) const;
  [[nodiscard]] IntrospectionDecision decide(const IntrospectionResult& answer,
                                             const SharedIntrospection& owner,
                                             IntrospectionClock::time_point now) const;

  const IntrospectionPolicy policy_;
  const Clock clock_;
  const Sha256Hasher hasher_;  // the cache key of every request's token
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<uint64_t> endpoint_calls_{0};
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> coalesced_{0};
  std::atomic<uint64_t> stale_served_{0};
};

}  // namespace archway::identity

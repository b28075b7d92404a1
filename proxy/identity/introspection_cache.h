#pragma once
// Introspection answers by token digest, bounded in count, least recently
// used evicted first (docs/auth.md "The cache"). Keyed by the SHA-256 of the
// token: the cache never holds a token, so a memory dump of it gives
// nothing to replay.
//
// One shard of TokenIntrospector's cache: not thread-safe (the
// introspector holds the shard's lock), no clock (`now` is a parameter).

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <unordered_map>

#include "proxy/identity/introspection_response.h"
#include "proxy/identity/sha256.h"

namespace archway::identity {

using IntrospectionClock = std::chrono::system_clock;

// An endpoint's answer (active with its attributes, or kInactive), shared
// by every request that reads it.
using SharedIntrospection = std::shared_ptr<const IntrospectionResult>;

struct CachedIntrospection {
  SharedIntrospection answer;
  IntrospectionClock::time_point fresh_until;  // served without asking again
  // Kept until then for the stale grace: an active answer that may stand in
  // while the endpoint fails. Equal to fresh_until when there is no grace.
  IntrospectionClock::time_point stale_until;
};

class IntrospectionCache {
 public:
  explicit IntrospectionCache(size_t capacity) : capacity_(capacity) {}

  // A fresh entry (fresh_until > now), or nullopt. Counts as a use.
  [[nodiscard]] std::optional<CachedIntrospection> find_fresh(const Sha256Digest& key,
                                                              IntrospectionClock::time_point now);
  // An entry still within its stale grace (stale_until > now), fresh or not.
  [[nodiscard]] std::optional<CachedIntrospection> find_usable(const Sha256Digest& key,
                                                               IntrospectionClock::time_point now);
  // Replaces what the key held; evicts the least recently used entry when
  // over capacity. An entry already past stale_until is not stored.
  void put(const Sha256Digest& key, CachedIntrospection entry, IntrospectionClock::time_point now);

  [[nodiscard]] size_t size() const { return entries_.size(); }

 private:
  struct Node {
    Sha256Digest key;
    CachedIntrospection entry;
  };
  using Order = std::list<Node>;  // most recently used first

  // The entry if usable at `now`, moved to the front; a dead one is erased.
  Order::iterator touch(const Sha256Digest& key, IntrospectionClock::time_point now);

  size_t capacity_;
  Order order_;
  std::unordered_map<Sha256Digest, Order::iterator, Sha256DigestHash> entries_;
};

}  // namespace archway::identity

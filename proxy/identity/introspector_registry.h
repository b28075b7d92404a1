#pragma once
// The process's TokenIntrospectors, one per (endpoint, client id, client
// secret, cacheTTL, stale grace): every route, worker and snapshot that introspects at
// the same endpoint as the same client shares one cache and one set of
// calls in flight, so a token is asked about once however many routes see
// it, and a snapshot swap that keeps the policy keeps the cache.
//
// Required scopes and audiences are not part of the key (the filter checks
// them on the shared answer): two routes that differ only by those share
// the calls.
// The registry holds the introspectors weakly: the compiled filters own
// them, and one no snapshot uses any more is freed with its cache.
// Thread-safe; used when chains are compiled, never per request.

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "proxy/identity/token_introspector.h"

namespace archway::identity {

class IntrospectorRegistry {
 public:
  IntrospectorRegistry() : IntrospectorRegistry([] { return IntrospectionClock::now(); }) {}
  explicit IntrospectorRegistry(TokenIntrospector::Clock clock) : clock_(std::move(clock)) {}

  // The introspector for `policy`'s endpoint, credentials, cache_ttl and
  // stale_grace;
  // made from `policy` on first use. Its own policy then decides scopes and
  // audiences for everyone: callers pass those empty and check scopes on
  // the answer.
  [[nodiscard]] std::shared_ptr<TokenIntrospector> get(const IntrospectionPolicy& policy);

 private:
  TokenIntrospector::Clock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<TokenIntrospector>> by_key_;
};

}  // namespace archway::identity

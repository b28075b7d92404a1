#pragma once
// What policies share across workers and across snapshots: one object per
// process, owned by the server (never a global) and handed to chain
// compilation (registry.h). Compiled filters hold shared pointers into it,
// so a swap that keeps a policy keeps its state: the JWKS of a URI is not
// fetched again, verified tokens stay verified,
// introspection answers stay cached.

#include <memory>

#include "proxy/cache/fills.h"
#include "proxy/cache/store.h"
#include "proxy/identity/introspector_registry.h"
#include "proxy/identity/jwks_cache.h"
#include "proxy/identity/token_cache.h"
#include "proxy/ratelimit/global/global_limiter.h"
#include "proxy/ratelimit/limit_tables.h"
#include "proxy/resilience/cluster_states.h"

namespace archway::filters {

struct SharedPolicyState {
  identity::JwksCache jwks;  // by jwksUri, for every JWT route and worker
  std::shared_ptr<identity::VerifiedTokenCache> tokens =
      std::make_shared<identity::VerifiedTokenCache>();
  // By endpoint and client, for every oauth2Introspection route and worker.
  identity::IntrospectorRegistry introspectors;
  // Every rateLimit's buckets, by route, rule and numbers (docs/ratelimit.md).
  ratelimit::LimitTables limits;
  // Redis-backed Global limits; null without --redis-address (Global rules
  // then use their fallback, as when Redis is unreachable).
  std::unique_ptr<ratelimit::GlobalLimiter> global;
  // X-Forwarded-For entries appended by the operator's own proxies in
  // front (--trusted-proxy-hops): what key ClientIP reads.
  uint32_t trusted_hops = 0;
  // The one response cache (docs/cache.md), sized by --cache-max-bytes;
  // null when caching is off (every cache rule bypasses it), and in a
  // fresh state (tests, tools) until one is set. Shared pointers: a
  // background refresh outlives the snapshot that started it.
  std::shared_ptr<cache::Store> cache_store;
  // The cache fills in flight, one per key (coalescing).
  std::shared_ptr<cache::Fills> cache_fills = std::make_shared<cache::Fills>();
  // Circuit-breaker counts and outlier detectors by cluster
  // (docs/resilience.md), kept across swaps that keep the cluster.
  resilience::ClusterStates clusters;
};

}  // namespace archway::filters

#pragma once
// The `cache` policy as a filter (docs/cache.md): a short-lived shared
// cache of GET responses with RFC 9111 semantics, request coalescing and
// RFC 5861 staleness, in the process's one byte-bounded store. The only
// header of filters/cache/ the registry may name.

#include <cstdint>
#include <memory>

#include "proxy/config/policies/cache.h"
#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"
#include "proxy/filters/shared_policy_state.h"

namespace archway::filters {

// Compiled once per snapshot. The store and the fills in flight come from
// `shared` (one of each per process); with no store there (caching off,
// --cache-max-bytes 0) every request bypasses the cache.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_cache_filter(const config::Cache& policy,
                                                                    const config::Route& route,
                                                                    SharedPolicyState& shared);

// What entries of `route` are stored under: a hash of the route's and
// rule's names and of the rule's definition, so a changed rule never
// answers with what the old one stored (Store::retain drops the rest after
// a swap). 0 for a route without a cache policy.
[[nodiscard]] uint64_t cache_fingerprint(const config::Route& route);

}  // namespace archway::filters

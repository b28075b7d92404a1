#pragma once
// The response cache's process-wide metrics (docs/cache.md "Metrics"):
// evictions, bytes and entries of the one store. Hits, misses, stale
// answers and coalesced waits are per route, in the workers' stats.

#include <string>

#include "proxy/cache/store.h"

namespace archway::server {

// `store`: null when caching is off (every family is written, at 0).
[[nodiscard]] std::string render_cache_metrics(const cache::Store* store);

}  // namespace archway::server

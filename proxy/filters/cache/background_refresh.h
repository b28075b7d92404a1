#pragma once
// stale-while-revalidate's refresh (RFC 5861 §3, docs/cache.md): the
// backend is asked again, off any client's request, as the filler asked it
// (its path and query, Host and the request fields the key depends on),
// through the worker's outbound client and the proxy's own pools. A
// storable answer replaces the entry; otherwise the stale entry stays and a
// later request may try again.

#include <cstdint>
#include <memory>
#include <string>

#include "proxy/cache/entry.h"
#include "proxy/cache/store.h"
#include "proxy/config/policies/cache.h"

namespace archway::outbound {
class HttpClient;
}

namespace archway::filters::cache_filter {

// Where the answer goes. Copied into the fetch: it outlives the exchange
// and the snapshot that started it.
struct RefreshTarget {
  std::shared_ptr<cache::Store> store;
  config::Cache policy;
  uint64_t fingerprint = 0;
};

// Starts the refresh of `entry` (whose `refreshing` latch the caller set)
// at `endpoint` ("address:port" of the route's cluster); the latch is
// cleared when the answer is not stored. Worker thread.
void refresh_in_background(outbound::HttpClient& client, const std::string& endpoint,
                           std::shared_ptr<const cache::Entry> entry, RefreshTarget target);

}  // namespace archway::filters::cache_filter

#include "proxy/server/cache_metrics.h"

namespace archway::server {

std::string render_cache_metrics(const cache::Store* store) {
  const auto value = [](uint64_t v) { return std::to_string(v) + "\n"; };
  std::string out =
      "# HELP archway_cache_evictions_total Cache entries dropped to make room for new ones.\n"
      "# TYPE archway_cache_evictions_total counter\n"
      "archway_cache_evictions_total " +
      value(store ? store->evictions() : 0);
  out +=
      "# HELP archway_cache_bytes Bytes the response cache holds (its budget: "
      "--cache-max-bytes).\n"
      "# TYPE archway_cache_bytes gauge\n"
      "archway_cache_bytes " +
      value(store ? store->bytes() : 0);
  out +=
      "# HELP archway_cache_entries Responses the cache holds, every variant counted.\n"
      "# TYPE archway_cache_entries gauge\n"
      "archway_cache_entries " +
      value(store ? store->entries() : 0);
  return out;
}

}  // namespace archway::server

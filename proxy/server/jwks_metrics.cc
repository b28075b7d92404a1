#include "proxy/server/jwks_metrics.h"

#include <utility>
#include <vector>

#include "proxy/metrics/families.h"

namespace archway::server {

std::string render_jwks_metrics(const identity::JwksFetchCounts& counts) {
  std::vector<std::pair<std::string, uint64_t>> by_result;
  for (size_t r = 0; r < identity::kJwksFetchResultCount; ++r) {
    by_result.emplace_back(
        identity::jwks_fetch_result_name(static_cast<identity::JwksFetchResult>(r)),
        counts.by_result[r]);
  }
  std::string out = metrics::render_labelled_counter(
      "archway_auth_jwks_fetches_total", "JWKS fetches by how they ended (every jwksUri).",
      "result", by_result);
  out += metrics::render_histogram(
      "archway_auth_jwks_fetch_duration_seconds", "Time a JWKS fetch took, to its end or failure.",
      {identity::kJwksFetchBuckets, counts.buckets, counts.seconds_sum, counts.count});
  return out;
}

}  // namespace archway::server

#include "proxy/identity/jwks_fetch_stats.h"

#include <algorithm>

namespace archway::identity {

std::string_view jwks_fetch_result_name(JwksFetchResult result) {
  switch (result) {
    case JwksFetchResult::kSuccess:
      return "success";
    case JwksFetchResult::kUnreachable:
      return "unreachable";
    case JwksFetchResult::kHttpError:
      return "http_error";
    case JwksFetchResult::kInvalidJwks:
      return "invalid_jwks";
  }
  return "unknown";
}

void JwksFetchStats::record(JwksFetchResult result, std::chrono::duration<double> took) {
  const double seconds = std::max(0.0, took.count());
  const size_t bucket = static_cast<size_t>(
      std::lower_bound(kJwksFetchBuckets.begin(), kJwksFetchBuckets.end(), seconds) -
      kJwksFetchBuckets.begin());
  std::lock_guard lock(mu_);
  ++counts_.by_result[static_cast<size_t>(result)];
  ++counts_.buckets[bucket];
  counts_.seconds_sum += seconds;
  ++counts_.count;
}

JwksFetchCounts JwksFetchStats::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

}  // namespace archway::identity

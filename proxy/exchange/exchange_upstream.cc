// What the exchange tells archway_upstream_* about its attempts
// (docs/observability.md "Metrics"): one answer or one failure per attempt,
// counted for the cluster of the pinned table (keyed by its entry there).

#include "proxy/exchange/exchange.h"
#include "proxy/metrics/worker_stats.h"

namespace archway::exchange {

void Exchange::upstream_answered(int status) {
  if (!attempt_open_ || cluster_ == nullptr) return;
  attempt_open_ = false;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - attempt_started_).count();
  worker_.stats().upstream().answered(cluster_, cluster_->cluster->name, status, seconds);
}

void Exchange::upstream_failed(metrics::UpstreamFailure failure) {
  if (cluster_ == nullptr) return;
  // Before the head: the attempt's one outcome. After it, a response
  // broken off (reset, timeout) is counted besides its status.
  if (response_complete_ || (!attempt_open_ && !response_started_)) return;
  attempt_open_ = false;
  worker_.stats().upstream().failed(cluster_, cluster_->cluster->name, failure);
}

}  // namespace archway::exchange

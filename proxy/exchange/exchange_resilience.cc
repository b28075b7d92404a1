// The exchange's side of circuit breakers and outlier detection
// (docs/resilience.md): taking the cluster's units, answering an overflow,
// reporting an endpoint's answers. The counts themselves are in
// proxy/resilience/, shared by every worker.

#include "proxy/backend/h1_connection.h"
#include "proxy/exchange/exchange.h"
#include "proxy/exchange/request_rewrite.h"

namespace archway::exchange {

bool Exchange::admit(resilience::BreakerLimit limit, resilience::BreakerSlot& slot) {
  const auto& state = cluster_->resilience;
  if (!state.breaker) return true;
  auto unit = state.breaker->try_acquire(limit, state.limits.of(limit));
  if (!unit) {
    respond_overflow(limit);
    return false;
  }
  slot = std::move(*unit);
  return true;
}

bool Exchange::admit_new_connection() {
  const auto& state = cluster_->resilience;
  if (!state.breaker) return true;
  resilience::BreakerSlot connection, pending;
  if (!admit(resilience::BreakerLimit::kConnections, connection) ||
      !admit(resilience::BreakerLimit::kPendingRequests, pending)) {
    h1_.reset();  // never started: nothing was sent
    return false;
  }
  h1_->hold(std::move(connection), std::move(pending));
  return true;
}

void Exchange::respond_overflow(resilience::BreakerLimit limit) {
  // A cache rule may still answer from a stale entry (stale-if-error).
  if (answered_backend_error(503)) return;
  const std::string name(resilience::breaker_limit_name(limit));
  respond(503, Headers{{"content-type", "application/json"}, {"x-archway-overflow", name}},
          error_body("circuit breaker open: " + name, 503));
}

void Exchange::record_outcome(bool failed) {
  if (outcome_recorded_ || cluster_ == nullptr || !cluster_->resilience.outlier) return;
  outcome_recorded_ = true;
  cluster_->resilience.outlier->record(endpoint_index_, failed, std::chrono::steady_clock::now());
}

}  // namespace archway::exchange

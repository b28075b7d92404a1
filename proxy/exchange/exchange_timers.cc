// The exchange's timers (docs/resilience.md "Timeouts"): the request
// timeout, the attempt's backendRequest timeout, a retry's backoff and an
// upgraded tunnel's idle limit share the exchange's one net::Deadline,
// armed at the earliest of them, so a retried request costs no timer of
// its own.

#include "proxy/exchange/exchange.h"

#include "proxy/exchange/exchange_host.h"
#include "proxy/net/deadline.h"

namespace archway::exchange {

void Exchange::update_deadline() {
  std::optional<net::Deadline::Clock::time_point> earliest;
  for (const auto& when : {request_deadline_, attempt_deadline_, backoff_until_}) {
    if (when && (!earliest || *when < *earliest)) earliest = when;
  }
  // The idle limit is armed at its latest possible end: on waking early,
  // on_deadline re-arms from the last activity (one timer per idle
  // period, not one per chunk).
  if (stream_idle_.count() != 0 && !backoff_until_) {
    const auto idle_end = last_activity_ + stream_idle_;
    if (!earliest || idle_end < *earliest) earliest = idle_end;
  }
  if (earliest) {
    worker_.deadlines().set(*this, *earliest);
  } else {
    worker_.deadlines().clear(*this);
  }
}

void Exchange::on_deadline() {
  if (tunnel_) {
    if (response_complete_ || tunnel_idle_.count() == 0) return;  // 0: no idle limit
    if (std::chrono::steady_clock::now() - last_activity_ < tunnel_idle_) {
      arm_tunnel_idle_timer();
      return;
    }
    release_backend(false);
    abort_client_response();  // closes the client connection
    return;
  }
  const auto now = net::Deadline::Clock::now();
  if (request_deadline_ && now >= *request_deadline_) {
    request_deadline_.reset();
    on_timeout();
    return;
  }
  if (stream_idle_.count() != 0 && !backoff_until_ && now - last_activity_ >= stream_idle_) {
    on_stream_idle();
    return;
  }
  if (backoff_until_ && now >= *backoff_until_) {
    backoff_until_.reset();
    start_retry();
    return;
  }
  if (attempt_deadline_ && now >= *attempt_deadline_) {
    attempt_deadline_.reset();
    // Counted here before a head; after one, on_timeout counts it.
    if (!response_started_) upstream_failed(metrics::UpstreamFailure::kTimeout);
    trace_.attempt_failed("timeout");
    // backendRequest: this attempt failed as a timeout, which a retry may
    // mend; once the response has started it cannot.
    if (!response_started_ && retry_attempt(resilience::AttemptFailure::kTimeout, nullptr)) return;
    on_timeout();
    return;
  }
  update_deadline();  // woken early (another deadline moved): wait on
}

void Exchange::on_stream_idle() {
  stream_idle_ = std::chrono::milliseconds(0);
  if (!request_complete_ && !response_started_ && !response_complete_) {
    // The client stopped sending its body (RFC 9110 §15.5.9).
    request_deadline_.reset();
    attempt_deadline_.reset();
    worker_.deadlines().clear(*this);
    release_backend(false);
    respond_error(408, "request body idle");
    return;
  }
  on_timeout();
}

void Exchange::on_timeout() {
  if (backend_ != nullptr) upstream_failed(metrics::UpstreamFailure::kTimeout);
  trace_.attempt_failed("timeout");  // the attempt in flight, if any
  request_deadline_.reset();
  attempt_deadline_.reset();
  backoff_until_.reset();
  worker_.deadlines().clear(*this);
  if (!response_started_) {
    release_backend(false);
    cancel_chain();  // a suspended filter gives up what it waits on
    if (answered_backend_error(504)) return;
    respond_error(504, "backend timeout");
  } else if (!response_complete_) {
    release_backend(false);
    abort_client_response();
  }
}

void Exchange::arm_tunnel_idle_timer() {
  // Re-armed from the last activity rather than on every message: a busy
  // tunnel costs one deadline per idle period, not one per frame.
  if (tunnel_idle_.count() == 0) {  // no idle limit: the request timeout ends here too
    worker_.deadlines().clear(*this);
    return;
  }
  worker_.deadlines().set(*this, last_activity_ + tunnel_idle_);
}

}  // namespace archway::exchange

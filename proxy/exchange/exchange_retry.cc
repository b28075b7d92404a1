// Retries of a failed attempt and the per-attempt timeout
// (docs/resilience.md "Retries", "Timeouts"). The decision itself is pure
// (resilience/retry_policy.h); this file gathers what it needs from the
// exchange, takes the cluster's retry budget, waits out the backoff on the
// exchange's one deadline, and starts the next attempt on another endpoint.
//
// What a retry may resend: the request head as forward() prepared it, and
// the body from replay_ (complete, at most kReplayLimit). Nothing is
// retried once a response byte went to the client.

#include <string>

#include "proxy/config/route_timeouts.h"
#include "proxy/exchange/exchange.h"
#include "proxy/metrics/worker_stats.h"

namespace archway::exchange {
namespace {

// The replay buffer's limit per request. A request body up to this size
// is kept, so that its request can be retried; a larger one is streamed
// and never retried. 64 KiB covers typical JSON API bodies and is the
// watermark the body queues use anyway (http::kHighWatermark).
constexpr size_t kReplayLimit = 64 * 1024;

static_assert(metrics::kRetryReasonNames.size() == resilience::kRetryReasonCount);

resilience::RetryConditions conditions(const config::Retries& policy) {
  resilience::RetryConditions c;
  for (config::RetryOn on : policy.retry_on) {
    switch (on) {
      case config::RetryOn::kConnectFailure:
        c.on |= resilience::kRetryOnConnectFailure;
        break;
      case config::RetryOn::kRefusedStream:
        c.on |= resilience::kRetryOnRefusedStream;
        break;
      case config::RetryOn::kReset:
        c.on |= resilience::kRetryOnReset;
        break;
      case config::RetryOn::kGatewayError:
        c.on |= resilience::kRetryOnGatewayError;
        break;
      case config::RetryOn::k5xx:
        c.on |= resilience::kRetryOn5xx;
        break;
    }
  }
  c.status_codes = policy.status_codes;
  return c;
}

}  // namespace

const config::Retries* Exchange::retries() const {
  if (route_ == nullptr) return nullptr;
  const auto& policy = route_->route.policies.retries;
  return policy && policy->attempts > 0 ? &*policy : nullptr;
}

bool Exchange::hold_for_retry(std::string_view data) {
  // Bounded by what one read of the client brings (or an HTTP/2 stream
  // window): the client is told to wait (false) until the retry's attempt
  // takes the body.
  replay_.append(data);
  return false;
}

bool Exchange::send_to_backend(std::string_view data, bool end_stream) {
  if (!data.empty()) {
    request_body_sent_ = true;
    if (!replay_overflow_) {
      if (retries() == nullptr || replay_.size() + data.size() > kReplayLimit) {
        replay_overflow_ = true;
        std::string().swap(replay_);
      } else {
        replay_.append(data);
      }
    }
  }
  return backend_->send_data(data, end_stream);
}

void Exchange::begin_attempt() {
  trace_.begin_attempt(cluster_->cluster->name, endpoint_, attempts_, request_->method,
                       request_->headers, worker_.rng());
  outcome_recorded_ = false;
  attempt_open_ = true;
  attempt_started_ = std::chrono::steady_clock::now();
  retried_ = false;  // a stale kept-alive connection may be replaced once per attempt
  attempt_deadline_.reset();
  if (auto timeout = config::attempt_timeout(route_->route.timeouts)) {
    attempt_deadline_ = net::Deadline::Clock::now() + *timeout;
  }
  // The streams' idle limit runs from the first attempt (a filter's wait
  // before it is the request timeout's); a retry's start is activity.
  if (auto idle = config::stream_idle_timeout(route_->route.timeouts)) {
    stream_idle_ = std::chrono::duration_cast<std::chrono::milliseconds>(*idle);
    last_activity_ = std::chrono::steady_clock::now();
  }
  update_deadline();
}

void Exchange::end_attempt() {
  trace_.end_attempt();
  if (backend_ != nullptr) {
    backend_->detach(false);
    backend_ = nullptr;
  }
  h1_.reset();
  attempt_deadline_.reset();
}

bool Exchange::retry_attempt(resilience::AttemptFailure failure, const Response* head) {
  const config::Retries* policy = retries();
  if (policy == nullptr || cluster_ == nullptr || response_started_ || tunnel_ ||
      request_->websocket || attempts_ > policy->attempts) {
    return false;
  }
  const int status = head != nullptr ? head->status : 0;
  const auto c = conditions(*policy);
  const auto reason = resilience::retry_reason(c, failure, status);
  if (!reason) return false;
  // A body still arriving is fine while all of it so far is held: the
  // retry sends that, and the rest follows as it comes.
  const auto body = !request_->has_body ? resilience::ReplayBody::kNone
                    : !replay_overflow_ ? resilience::ReplayBody::kHeld
                                        : resilience::ReplayBody::kNotHeld;
  if (!resilience::safe_to_resend(request_->method, body, failure)) return false;

  // The wait: the backend's Retry-After on a 503 or 429 when it is
  // delta-seconds within backoff.max (otherwise the backend asked for
  // longer than this route waits: no retry), else the backoff.
  std::chrono::milliseconds wait{0};
  const http::Header* retry_after = head != nullptr && (status == 503 || status == 429)
                                        ? http::find_header(head->headers, "retry-after")
                                        : nullptr;
  if (retry_after != nullptr) {
    const auto seconds = resilience::retry_after_seconds(retry_after->value);
    if (!seconds || *seconds > policy->backoff.max) return false;
    wait = *seconds;
  } else {
    wait = resilience::backoff_delay(policy->backoff.base, policy->backoff.max, attempts_,
                                     worker_.rng()());
  }
  const auto now = net::Deadline::Clock::now();
  // No time left for another attempt: the failure is the answer.
  if (request_deadline_ && now + wait >= *request_deadline_) return false;

  const std::string& cluster = cluster_->cluster->name;
  retry_slot_.release();  // the previous retry's attempt is over
  if (const auto& budget = cluster_->resilience.retry_budget) {
    auto slot = budget->try_retry(policy->budget_percent);
    if (!slot) {
      worker_.stats().count_retry(cluster, metrics::kRetryBudgetExhaustedSlot);
      return false;
    }
    retry_slot_ = std::move(*slot);
  }
  worker_.stats().count_retry(cluster, static_cast<size_t>(*reason));
  ++attempts_;
  end_attempt();
  backoff_until_ = now + wait;
  update_deadline();
  return true;
}

void Exchange::start_retry() {
  // Another endpoint than the one that failed, when the cluster has more:
  // the balancer's pick (skipping ejected and unhealthy endpoints), then
  // one step on if it is the same endpoint again.
  const size_t failed = endpoint_index_;
  const size_t count = cluster_->endpoints.size();
  pick_endpoint();
  if (endpoint_index_ == failed && count > 1) {
    const size_t index = usable_endpoint((failed + 1) % count);
    endpoint_index_ = index;
    endpoint_ = cluster_->endpoints[index];
    in_flight_ = cluster_->balancer->start(index);
  }
  begin_attempt();
  if (!start_backend()) {
    release_backend(false);
    if (answered_backend_error(502)) return;
    respond_error(502, "backend unavailable");
    return;
  }
  // The body held so far (retry_attempt checked that it is all of it),
  // then the client may go on with the rest.
  if (backend_ != nullptr && request_->has_body) {
    const bool trailers = !held_trailers_.empty();  // came during the backoff
    const bool more = backend_->send_data(replay_, request_complete_ && !trailers);
    if (trailers && backend_ != nullptr) backend_->send_trailers(held_trailers_);
    if (more && !request_complete_) sink_.resume_request_body();
  }
}

}  // namespace archway::exchange

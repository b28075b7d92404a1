#include "proxy/tracing/span_queue.h"

#include <algorithm>

namespace archway::tracing {

SpanQueue::SpanQueue(size_t capacity, size_t wake_at)
    : capacity_(std::max<size_t>(capacity, 1)),
      wake_at_(std::clamp<size_t>(wake_at, 1, std::max<size_t>(capacity, 1))) {
  spans_.reserve(capacity_);
}

bool SpanQueue::push(SpanRecord&& span) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (closed_ || spans_.size() >= capacity_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    spans_.push_back(std::move(span));
    wake = spans_.size() == wake_at_;
  }
  if (wake) cv_.notify_one();
  return true;
}

bool SpanQueue::wait_and_take(std::vector<SpanRecord>& out, std::chrono::milliseconds timeout) {
  out.clear();
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return closed_ || spans_.size() >= wake_at_; });
  if (closed_ && spans_.empty()) return false;
  // The consumer's vector (empty, with the capacity of the last swap) takes
  // the producers' place: neither side allocates in steady state.
  out.swap(spans_);
  if (spans_.capacity() < capacity_) spans_.reserve(capacity_);
  return true;
}

void SpanQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

}  // namespace archway::tracing

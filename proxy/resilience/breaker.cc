#include "proxy/resilience/breaker.h"

namespace archway::resilience {

std::string_view breaker_limit_name(BreakerLimit limit) {
  switch (limit) {
    case BreakerLimit::kConnections:
      return "maxConnections";
    case BreakerLimit::kPendingRequests:
      return "maxPendingRequests";
    case BreakerLimit::kRequests:
      return "maxRequests";
  }
  return "maxRequests";
}

std::optional<uint32_t> BreakerLimits::of(BreakerLimit limit) const {
  switch (limit) {
    case BreakerLimit::kConnections:
      return max_connections;
    case BreakerLimit::kPendingRequests:
      return max_pending_requests;
    case BreakerLimit::kRequests:
      return max_requests;
  }
  return std::nullopt;
}

BreakerSlot& BreakerSlot::operator=(BreakerSlot&& other) noexcept {
  if (this != &other) {
    release();
    counters_ = std::move(other.counters_);
    limit_ = other.limit_;
  }
  return *this;
}

void BreakerSlot::release() {
  if (counters_ == nullptr) return;
  counters_->give_back(limit_);
  counters_.reset();
}

std::optional<BreakerSlot> BreakerCounters::try_acquire(BreakerLimit limit,
                                                        std::optional<uint32_t> max) {
  if (!max) return BreakerSlot{};
  auto& in_use = in_use_[index(limit)];
  uint32_t current = in_use.load(std::memory_order_relaxed);
  // A compare-exchange rather than add-then-undo: a unit taken and given
  // back would make a concurrent request at the limit overflow for nothing.
  do {
    if (current >= *max) {
      overflows_[index(limit)].fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
  } while (!in_use.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return BreakerSlot(shared_from_this(), limit);
}

}  // namespace archway::resilience

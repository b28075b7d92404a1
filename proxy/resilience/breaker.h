#pragma once
// Circuit-breaker counts of one backend cluster, shared by every worker of
// the process (docs/resilience.md "Circuit breakers"). Three kinds of unit
// are counted: open backend connections, requests waiting for a connection
// to open, and requests in flight. A unit is taken with try_acquire and
// given back when its BreakerSlot goes away, so every path an exchange or a
// connection can end on (completion, reset, cancel, client gone, timeout)
// gives it back without a line of its own.
//
// Thread: any; lock-free (one compare-exchange loop per unit taken, one
// atomic decrement per unit given back). Lifetime: shared_ptr; a slot keeps
// its counters alive, so a connection that outlives its route table still
// gives its unit back to the right place.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

namespace archway::resilience {

enum class BreakerLimit : uint8_t { kConnections = 0, kPendingRequests = 1, kRequests = 2 };
inline constexpr size_t kBreakerLimitCount = 3;

// The CRD's field name of a limit ("maxRequests"): the overflow reason and
// the metric's `limit` label.
[[nodiscard]] std::string_view breaker_limit_name(BreakerLimit limit);

// The limits one route table enforces on a cluster; absent: unlimited.
struct BreakerLimits {
  std::optional<uint32_t> max_connections;
  std::optional<uint32_t> max_pending_requests;
  std::optional<uint32_t> max_requests;

  [[nodiscard]] std::optional<uint32_t> of(BreakerLimit limit) const;
  [[nodiscard]] bool any() const { return max_connections || max_pending_requests || max_requests; }
  bool operator==(const BreakerLimits&) const = default;
};

class BreakerCounters;

// One unit of one limit, given back on destruction (or release()). Move-only.
class BreakerSlot {
 public:
  BreakerSlot() = default;
  ~BreakerSlot() { release(); }
  BreakerSlot(BreakerSlot&& other) noexcept = default;
  BreakerSlot& operator=(BreakerSlot&& other) noexcept;
  BreakerSlot(const BreakerSlot&) = delete;
  BreakerSlot& operator=(const BreakerSlot&) = delete;

  void release();
  [[nodiscard]] bool held() const { return counters_ != nullptr; }

 private:
  friend class BreakerCounters;
  BreakerSlot(std::shared_ptr<BreakerCounters> counters, BreakerLimit limit)
      : counters_(std::move(counters)), limit_(limit) {}
  std::shared_ptr<BreakerCounters> counters_;
  BreakerLimit limit_ = BreakerLimit::kRequests;
};

class BreakerCounters : public std::enable_shared_from_this<BreakerCounters> {
 public:
  // A unit of `limit`, unless `max` units are out already: then the
  // overflow is counted and nullopt returned. With no `max` nothing is
  // counted and an empty slot comes back (no atomics on a cluster without
  // that limit).
  [[nodiscard]] std::optional<BreakerSlot> try_acquire(BreakerLimit limit,
                                                       std::optional<uint32_t> max);

  [[nodiscard]] uint32_t in_use(BreakerLimit limit) const {
    return in_use_[index(limit)].load(std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t overflows(BreakerLimit limit) const {
    return overflows_[index(limit)].load(std::memory_order_relaxed);
  }

 private:
  friend class BreakerSlot;
  static size_t index(BreakerLimit limit) { return static_cast<size_t>(limit); }
  void give_back(BreakerLimit limit) {
    in_use_[index(limit)].fetch_sub(1, std::memory_order_relaxed);
  }
  std::array<std::atomic<uint32_t>, kBreakerLimitCount> in_use_{};
  std::array<std::atomic<uint64_t>, kBreakerLimitCount> overflows_{};
};

}  // namespace archway::resilience

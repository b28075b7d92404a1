#pragma once
// The retry budget of one backend cluster, shared by every worker of the
// process (docs/resilience.md "Retry budget"): retries in flight may be
// at most budgetPercent of the requests in flight to the cluster, and
// always at least kMinRetries, so that a cluster with little traffic can
// still retry. An outage then adds at most that share of load instead of
// multiplying it by the number of attempts.
//
// A request counts as active from the moment its cluster is chosen until
// its exchange ends (ActiveSlot); a retry counts from the moment it is
// decided (its backoff included) until its attempt ends (RetrySlot).
//
// Thread: any; lock-free (one atomic add per request, one compare-exchange
// per retry). Lifetime: the route table holds the budget (shared_ptr, kept
// across swaps by ClusterStates); a slot points at it raw and must not
// outlive the table it came from — an exchange pins that table.

#include <atomic>
#include <cstdint>
#include <optional>

namespace archway::resilience {

class RetryBudget;

// A unit of `active` or of `retries`, given back on destruction. Move-only.
class BudgetSlot {
 public:
  BudgetSlot() = default;
  ~BudgetSlot() { release(); }
  BudgetSlot(BudgetSlot&& other) noexcept : counter_(other.counter_) { other.counter_ = nullptr; }
  BudgetSlot& operator=(BudgetSlot&& other) noexcept {
    if (this != &other) {
      release();
      counter_ = other.counter_;
      other.counter_ = nullptr;
    }
    return *this;
  }
  BudgetSlot(const BudgetSlot&) = delete;
  BudgetSlot& operator=(const BudgetSlot&) = delete;

  void release() {
    if (counter_ != nullptr) counter_->fetch_sub(1, std::memory_order_relaxed);
    counter_ = nullptr;
  }
  [[nodiscard]] bool held() const { return counter_ != nullptr; }

 private:
  friend class RetryBudget;
  explicit BudgetSlot(std::atomic<uint32_t>* counter) : counter_(counter) {}
  std::atomic<uint32_t>* counter_ = nullptr;
};

class RetryBudget {
 public:
  // Retries always allowed in flight at once, whatever the percentage
  // (Envoy's min_retry_concurrency is 3 too).
  static constexpr uint32_t kMinRetries = 3;

  // The request now goes to the cluster.
  [[nodiscard]] BudgetSlot enter() {
    active_.fetch_add(1, std::memory_order_relaxed);
    return BudgetSlot(&active_);
  }
  // A retry, unless the budget is spent: retries in flight stay at most
  // max(kMinRetries, percent × active / 100). nullopt: spent (the
  // caller counts it, per worker).
  [[nodiscard]] std::optional<BudgetSlot> try_retry(uint32_t percent);

  [[nodiscard]] uint32_t active() const { return active_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint32_t retries() const { return retries_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint32_t> active_{0};
  std::atomic<uint32_t> retries_{0};
};

}  // namespace archway::resilience

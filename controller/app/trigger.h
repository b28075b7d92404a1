#pragma once
// Coalesces change notifications: many notify() calls within `debounce` of
// the first one produce one wake-up (Contour's holdoff). Thread-safe.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace archway::controller::app {

class Trigger {
 public:
  explicit Trigger(std::chrono::milliseconds debounce) : debounce_(debounce) {}

  void notify() {
    {
      std::lock_guard lock(mu_);
      if (!dirty_) first_ = std::chrono::steady_clock::now();
      dirty_ = true;
    }
    cv_.notify_all();
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

  // Waits until a change has settled for `debounce` (measured from the first
  // change of the batch, so a stream of changes cannot starve a compile), or
  // `max_wait` passes. Returns true when a change is due; false on timeout or
  // stop.
  bool wait(std::chrono::milliseconds max_wait) {
    std::unique_lock lock(mu_);
    const auto give_up = std::chrono::steady_clock::now() + max_wait;
    if (!cv_.wait_until(lock, give_up, [&] { return dirty_ || stopped_; })) return false;
    if (stopped_) return false;
    cv_.wait_until(lock, first_ + debounce_, [&] { return stopped_; });
    if (stopped_) return false;
    dirty_ = false;
    return true;
  }

  [[nodiscard]] bool stopped() const {
    std::lock_guard lock(mu_);
    return stopped_;
  }

 private:
  const std::chrono::milliseconds debounce_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = false;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point first_;
};

}  // namespace archway::controller::app

#pragma once
// A stop flag that background loops (informers, leader election) can sleep on:
// sleep_for() returns early, and false, once stop() was called. Owned by the
// component that owns the threads; outlives them.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace archway::controller::k8s {

class StopSignal {
 public:
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  [[nodiscard]] bool stopped() const {
    std::lock_guard lock(mu_);
    return stopped_;
  }
  // Sleeps up to `d`; returns false when stopped (before or during the sleep).
  bool sleep_for(std::chrono::nanoseconds d) {
    std::unique_lock lock(mu_);
    return !cv_.wait_for(lock, d, [this] { return stopped_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace archway::controller::k8s

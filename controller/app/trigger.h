#pragma once
// Coalesces change notifications. The window starts when the consumer says it
// did real work (fired(): a snapshot was pushed): the first change after a
// quiet window wakes the consumer at once (an isolated edit reaches the proxy
// with no added delay); changes within `debounce` of a push are batched into
// one wake-up at the window's end (a burst, like the initial sync or a
// `kubectl apply -f dir/`, pushes once per window). Wake-ups that change
// nothing (our own status writes echo back as watch events) do not open a
// window, so they never delay the next real change. Thread-safe.

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

  // Waits until a change is due: at once when the last wake-up is at least
  // `debounce` ago, else at the end of that window. Returns true when a change
  // is due; false on timeout (`max_wait` without any change) or stop.
  bool wait(std::chrono::milliseconds max_wait) {
    std::unique_lock lock(mu_);
    const auto give_up = std::chrono::steady_clock::now() + max_wait;
    if (!cv_.wait_until(lock, give_up, [&] { return dirty_ || stopped_; })) return false;
    if (stopped_) return false;
    cv_.wait_until(lock, last_fire_ + debounce_, [&] { return stopped_; });
    if (stopped_) return false;
    dirty_ = false;
    return true;
  }

  // The consumer pushed a snapshot: changes in the next `debounce` wait.
  void fired() {
    std::lock_guard lock(mu_);
    last_fire_ = std::chrono::steady_clock::now();
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
  std::chrono::steady_clock::time_point last_fire_{};  // epoch: the first change fires at once
};

}  // namespace archway::controller::app

// LeaderElector: runs LeaseLock every retry_period on its own thread and turns
// its answers into started/stopped-leading transitions. See leader_elector.h.

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "controller/k8s/stop_signal.h"
#include "controller/leader/lease_lock.h"

namespace archway::controller::leader {
namespace {

std::string default_identity() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "archway") + "_" + std::to_string(getpid());
}

LeaderOptions with_defaults(LeaderOptions options) {
  if (options.identity.empty()) options.identity = default_identity();
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  return options;
}

class LeaderElectorImpl final : public LeaderElector {
 public:
  LeaderElectorImpl(k8s::KubeClient& client, LeaderOptions options)
      : options_(with_defaults(std::move(options))), lock_(client, options_) {}
  ~LeaderElectorImpl() override { stop(); }

  void start(std::function<void()> on_started_leading,
             std::function<void()> on_stopped_leading) override {
    on_started_ = std::move(on_started_leading);
    on_stopped_ = std::move(on_stopped_leading);
    thread_ = std::thread([this] { run(); });
  }

  void stop() override {
    stop_.stop();
    if (thread_.joinable()) thread_.join();
  }

  [[nodiscard]] bool is_leader() const override {
    std::lock_guard lock(mu_);
    return leading_ && options_.now() - last_renew_ < options_.renew_deadline;
  }

 private:
  void run() {
    std::mt19937 rng(std::random_device{}());
    std::uniform_real_distribution<double> jitter(1.0, 1.2);
    while (!stop_.stopped()) {
      const k8s::TimePoint now = options_.now();
      auto held = lock_.try_acquire_or_renew(now);
      if (!held) spdlog::warn("leader election: {}", held.error().to_string());
      if (held && *held) {
        bool started = false;
        {
          std::lock_guard lock(mu_);
          last_renew_ = now;
          started = !leading_;
          leading_ = true;
        }
        if (started) {
          spdlog::info("leader election: {} is the leader", options_.identity);
          if (on_started_) on_started_();
        }
      } else if (leading()) {
        // Someone else holds it (a definite answer), or renewals have failed
        // for longer than the renew deadline: step down.
        if ((held && !*held) || options_.now() - renewed_at() >= options_.renew_deadline) {
          step_down("lost the lease");
        }
      }
      // Candidates spread their attempts (client-go's JitterUntil factor 1.2);
      // the leader renews on a steady beat.
      auto wait = options_.retry_period;
      if (!leading()) {
        wait = std::chrono::duration_cast<std::chrono::milliseconds>(wait * jitter(rng));
      }
      stop_.sleep_for(wait);
    }
    if (leading()) {
      if (auto r = lock_.release(options_.now()); !r) {
        spdlog::warn("leader election: release failed: {}", r.error().to_string());
      }
      step_down("stopping");
    }
  }

  bool leading() const {
    std::lock_guard lock(mu_);
    return leading_;
  }
  k8s::TimePoint renewed_at() const {
    std::lock_guard lock(mu_);
    return last_renew_;
  }
  void step_down(const char* why) {
    {
      std::lock_guard lock(mu_);
      leading_ = false;
    }
    spdlog::info("leader election: {} stops leading ({})", options_.identity, why);
    if (on_stopped_) on_stopped_();
  }

  const LeaderOptions options_;
  LeaseLock lock_;
  k8s::StopSignal stop_;
  std::function<void()> on_started_, on_stopped_;  // set before the thread starts
  mutable std::mutex mu_;                          // guards leading_, last_renew_
  bool leading_ = false;
  k8s::TimePoint last_renew_{};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<LeaderElector> make_leader_elector(k8s::KubeClient& client, LeaderOptions options) {
  return std::make_unique<LeaderElectorImpl>(client, std::move(options));
}

}  // namespace archway::controller::leader

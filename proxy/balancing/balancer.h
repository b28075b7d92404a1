#pragma once
// One cluster's endpoint choice (docs/resilience.md "Balancing"), built
// once per snapshot on the control thread and shared read-only by every
// worker through the TableContext:
//   - RoundRobin: smooth weighted round robin (nginx's), per worker: each
//     worker cycles through the endpoints in proportion to their weights
//     without bursts, from state the worker keeps (WorkerState);
//   - LeastRequest (the default): two endpoints drawn at random, the one
//     with fewer requests in flight (per weight) wins ("the power of two
//     choices": nearly as good as scanning all, at O(1), and without the
//     herd a plain least-loaded pick sends to one endpoint);
//   - ConsistentHash: a Maglev table (maglev.h) looked up with the hash of
//     a request's key; a request without its key gets a random endpoint.
//
// Requests in flight are counted per endpoint for every policy (so a
// policy change reads live counts) in relaxed atomics shared by the
// workers: one increment when an attempt starts, one decrement when it
// ends, no lock. A pick reads two of them; a count a moment stale only
// makes the pick a little less exact.
//
// The counts belong to this table: after a snapshot swap, requests still
// running on the old table count there, and the new table starts from 0.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy/balancing/maglev.h"

namespace archway::balancing {

enum class Policy { kLeastRequest, kRoundRobin, kConsistentHash };

// What a pick needs from the request and the worker.
struct PickInput {
  std::optional<uint64_t> hash;    // ConsistentHash: the key's hash (hash.h)
  uint64_t random = 0;             // fresh from the worker's RNG
  std::span<int64_t> round_robin;  // RoundRobin: this worker's state, one per endpoint
};

// One attempt's request in flight on an endpoint: counted from its
// creation to its destruction or release(). Movable, not copyable.
class InFlight {
 public:
  InFlight() = default;
  explicit InFlight(std::atomic<uint32_t>* count) : count_(count) {
    count_->fetch_add(1, std::memory_order_relaxed);
  }
  InFlight(InFlight&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
  InFlight& operator=(InFlight&& other) noexcept {
    if (this != &other) {
      release();
      count_ = std::exchange(other.count_, nullptr);
    }
    return *this;
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { release(); }

  void release() {
    if (count_ != nullptr) count_->fetch_sub(1, std::memory_order_relaxed);
    count_ = nullptr;
  }

 private:
  std::atomic<uint32_t>* count_ = nullptr;
};

class Balancer {
 public:
  // `names` identify the endpoints in the cluster's order (ConsistentHash
  // places them by name); `weights` are ≥ 1, one per name.
  Balancer(Policy policy, const std::vector<std::string>& names, std::vector<uint32_t> weights);

  // The endpoint index for one request. Not for a cluster without endpoints.
  [[nodiscard]] size_t pick(const PickInput& in) const;
  // Counts a request in flight on endpoint `i` until the result goes away.
  [[nodiscard]] InFlight start(size_t i) const { return InFlight(&active_[i]); }
  [[nodiscard]] uint32_t active(size_t i) const {
    return active_[i].load(std::memory_order_relaxed);
  }

  [[nodiscard]] Policy policy() const { return policy_; }
  [[nodiscard]] size_t size() const { return weights_.size(); }
  [[nodiscard]] const std::vector<uint32_t>& weights() const { return weights_; }
  [[nodiscard]] const MaglevTable& maglev() const { return maglev_; }

 private:
  [[nodiscard]] size_t least_request(uint64_t random) const;
  [[nodiscard]] size_t round_robin(std::span<int64_t> current) const;

  Policy policy_;
  std::vector<uint32_t> weights_;
  int64_t total_weight_ = 0;
  MaglevTable maglev_;  // ConsistentHash only
  // Shared by the workers; the table context is const, the counts are not.
  std::unique_ptr<std::atomic<uint32_t>[]> active_;
};

// A worker's own balancing state: smooth round robin's running weights per
// cluster. Thread: the worker's. A cluster whose endpoint count changed
// starts again from zeros.
class WorkerState {
 public:
  [[nodiscard]] std::span<int64_t> round_robin(const std::string& cluster, size_t endpoints) {
    auto& state = round_robin_[cluster];
    if (state.size() != endpoints) state.assign(endpoints, 0);
    return state;
  }

 private:
  std::unordered_map<std::string, std::vector<int64_t>> round_robin_;
};

}  // namespace archway::balancing

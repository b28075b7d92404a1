#pragma once
// A backend connection counted in archway_upstream_connections_active
// {cluster} while it lives: the gauge is the worker's count for the
// cluster that opened the connection (WorkerStats::connection_gauge), held
// by shared_ptr so a connection that outlives its route table still counts
// down the right number. Worker-thread only, like the connection; the
// worker reads the count when it takes its stats snapshot.

#include <cstdint>
#include <memory>
#include <utility>

namespace archway::metrics {

class CountedConnection {
 public:
  CountedConnection() = default;
  explicit CountedConnection(std::shared_ptr<int64_t> gauge) : gauge_(std::move(gauge)) {
    if (gauge_) ++*gauge_;
  }
  ~CountedConnection() {
    if (gauge_) --*gauge_;
  }
  CountedConnection(CountedConnection&& other) noexcept : gauge_(std::move(other.gauge_)) {}
  CountedConnection& operator=(CountedConnection&& other) noexcept {
    if (this != &other) {
      if (gauge_) --*gauge_;
      gauge_ = std::move(other.gauge_);
    }
    return *this;
  }
  CountedConnection(const CountedConnection&) = delete;
  CountedConnection& operator=(const CountedConnection&) = delete;

 private:
  std::shared_ptr<int64_t> gauge_;
};

}  // namespace archway::metrics

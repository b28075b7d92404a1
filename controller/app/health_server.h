#pragma once
// The controller's probe endpoint (--health-port): GET /healthz answers 200
// while the process runs; GET /readyz answers 200 once every informer has
// listed and this replica's proxy ACKed a snapshot, 503 before; GET
// /metrics has the controller's own metrics (docs/observability.md). It binds all
// interfaces because the kubelet probes the pod IP. HTTP parsing is Beast's;
// each connection is one request with a 2 s deadline, so a slow or hostile
// client cannot hold the single I/O thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace archway::controller::app {

class HealthServer {
 public:
  // `ready` and `metrics` (the Prometheus text of GET /metrics; none when
  // empty) are called from the server's thread; they must be thread-safe.
  HealthServer(std::string address, uint16_t port, std::function<bool()> ready,
               std::function<std::string()> metrics = {});
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Binds and starts serving on a thread of its own. Port 0 binds an
  // ephemeral port (tests); port() tells which.
  [[nodiscard]] Result<void> start();
  // Stops and joins the thread. Idempotent; also done by the destructor.
  void stop();
  [[nodiscard]] uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace archway::controller::app

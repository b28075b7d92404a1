#pragma once
// The process's active health checks (docs/resilience.md "Health checks"):
// one prober per process, owned by the server (never a global), on a
// thread and io_context of its own, so probes neither wait for nor slow a
// worker. Every endpoint of every cluster with a healthCheck is probed
// once per `interval` (×0.9–1.1, so that replicas and endpoints do not
// probe in step) with `GET path HTTP/1.1`, `Connection: close` and
// `User-Agent: archway-health-check`; the probe passes when the response
// head arrives within the timeout (connect included) with an expected
// status. Outcomes go to the cluster's resilience::HealthState, which the
// workers read on each pick.
//
// Thread: update() and stop() from any control thread; everything else
// runs on the prober's own thread. A swap hands over the new targets: the
// old loops end at their next wake-up, the new ones start within one
// interval. State across swaps is the HealthState's (kept by
// resilience::ClusterStates while the endpoints and settings stay).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "proxy/config/policies/health_check.h"
#include "proxy/resilience/health_state.h"

namespace archway::health {

// One cluster to probe: its endpoints in the order HealthState indexes them.
struct ProbeTarget {
  std::string cluster;
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  config::HealthCheck check;
  std::shared_ptr<resilience::HealthState> state;
};

class Prober {
 public:
  Prober();
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Probes these clusters from now on, and no others.
  void update(std::vector<ProbeTarget> targets);
  // Ends every probe and joins the thread; idempotent.
  void stop();

  // The request a probe sends (tests read it).
  [[nodiscard]] static std::string request(const config::HealthCheck& check,
                                           const boost::asio::ip::tcp::endpoint& endpoint);
  // The status of a response head ("HTTP/1.1 204 No Content\r\n..."); 0
  // when it is not an HTTP/1.x status line.
  [[nodiscard]] static int status_of(std::string_view head);

 private:
  struct Target;
  struct Probe;
  void schedule(const std::shared_ptr<Target>& target, size_t endpoint,
                std::chrono::milliseconds delay);
  void probe(const std::shared_ptr<Target>& target, size_t endpoint);
  void finish(const std::shared_ptr<Target>& target, size_t endpoint,
              resilience::ProbeResult result, const std::string& why);
  std::chrono::milliseconds jittered(std::chrono::milliseconds interval);

  boost::asio::io_context io_;
  // Prober thread only:
  std::vector<std::shared_ptr<Target>> live_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace archway::health

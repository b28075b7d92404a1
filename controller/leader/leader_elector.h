#pragma once
// Leader election on a coordination.k8s.io/v1 Lease (client-go semantics:
// leaseDurationSeconds, renew deadline, retry period; holderIdentity; optimistic
// concurrency through resourceVersion on update). Only the leader writes
// status and Events; every replica programs its own proxy.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "controller/k8s/kube_client.h"
#include "controller/k8s/time_format.h"

namespace archway::controller::leader {

struct LeaderOptions {
  std::string lease_namespace = "default";
  std::string lease_name = "archway-controller";
  std::string identity;  // unique per replica (hostname + pid by default)
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  // Wall clock for renewTime/acquireTime and expiry (tests inject a fake).
  // Empty: system_clock::now. Expiry compares the holder's renewTime with this
  // clock, so replicas' clocks must agree to well within lease_duration.
  k8s::NowFn now;
};

class LeaderElector {
 public:
  virtual ~LeaderElector() = default;
  // Runs the election loop on its own thread; callbacks run on that thread.
  virtual void start(std::function<void()> on_started_leading,
                     std::function<void()> on_stopped_leading) = 0;
  // Releases the lease if held (holderIdentity "", leaseDurationSeconds 1, so
  // another replica takes over at its next retry), calls on_stopped_leading
  // if leading, and joins the thread. Idempotent; also done by the destructor.
  virtual void stop() = 0;
  // True only while the last successful renewal is younger than
  // renew_deadline: it turns false on time even while a renewal request is
  // still hanging, so a replica that lost the lease stops writing within its
  // renew deadline. Check it before every status write.
  [[nodiscard]] virtual bool is_leader() const = 0;
};

[[nodiscard]] std::unique_ptr<LeaderElector> make_leader_elector(k8s::KubeClient& client,
                                                                 LeaderOptions options);

}  // namespace archway::controller::leader

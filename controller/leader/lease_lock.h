#pragma once
// One step of leader election against a coordination.k8s.io/v1 Lease, with
// time passed in: no threads and no sleeping, so tests drive it with a fake
// clock. LeaderElector runs it every retry_period.

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "controller/k8s/kube_client.h"
#include "controller/k8s/time_format.h"
#include "controller/leader/leader_elector.h"

namespace archway::controller::leader {

// The fields of Lease.spec that election reads.
struct LeaseRecord {
  std::string holder;
  int lease_duration_s = 0;
  std::optional<k8s::TimePoint> acquire_time, renew_time;
  int transitions = 0;
};

[[nodiscard]] LeaseRecord parse_lease_spec(const nlohmann::json& spec);
[[nodiscard]] nlohmann::json lease_spec_json(const LeaseRecord& record);

// A Lease is free when nobody holds it or the holder's renewTime plus its
// leaseDurationSeconds lies in the past.
[[nodiscard]] bool lease_expired(const LeaseRecord& record, k8s::TimePoint now);

class LeaseLock {
 public:
  LeaseLock(k8s::KubeClient& client, const LeaderOptions& options);
  // Creates the Lease, takes it over when expired, or renews it when ours.
  // true: we hold it now; false: someone else does (or won a race: 409).
  Result<bool> try_acquire_or_renew(k8s::TimePoint now);
  // Hands the Lease back if we hold it (no-op otherwise).
  Result<void> release(k8s::TimePoint now);

 private:
  [[nodiscard]] std::string path() const;

  k8s::KubeClient& client_;
  const std::string namespace_, name_, identity_;
  const int duration_s_;
};

}  // namespace archway::controller::leader

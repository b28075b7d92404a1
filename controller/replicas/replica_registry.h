#pragma once
// This replica's Lease (replica_report.h), renewed on its own thread, and
// the other replicas' Leases, listed on the same beat: the leader reads
// peers() to decide Programmed across replicas. A change among the peers
// (a digest, a state, one appearing or expiring) calls `on_change`, so the
// reconciler writes status again without waiting for a cluster change.
// A replica that stops cleanly deletes its Lease; one that dies stops
// renewing, and its Lease is deleted by whichever replica sees it expired
// for three lease durations.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "controller/k8s/kube_client.h"
#include "controller/replicas/replica_report.h"

namespace archway::controller::replicas {

struct RegistryOptions {
  std::string ns;         // the leader-election namespace
  std::string base_name;  // the leader-election Lease's name
  std::string identity;
  std::chrono::milliseconds lease_duration{15000};
  k8s::NowFn now;  // system_clock::now when empty
};

class ReplicaRegistry {
 public:
  ReplicaRegistry(k8s::KubeClient& client, RegistryOptions options,
                  std::function<void()> on_change);
  ~ReplicaRegistry();
  ReplicaRegistry(const ReplicaRegistry&) = delete;
  ReplicaRegistry& operator=(const ReplicaRegistry&) = delete;

  void start();
  // Joins the thread and deletes this replica's Lease. Idempotent.
  void stop();

  // What this replica's proxy holds now; written at once (not on the next
  // beat) when it changed. Thread-safe.
  void report(std::string digest, ProxyState state, std::string message);
  // The other replicas whose Lease is live, by identity. Thread-safe.
  [[nodiscard]] std::vector<ReplicaReport> peers() const;

 private:
  void loop();
  void renew(const ReplicaReport& mine);
  void list_peers();
  [[nodiscard]] std::string collection() const;

  k8s::KubeClient& client_;
  const RegistryOptions options_;
  const std::string lease_name_;
  std::function<void()> on_change_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool dirty_ = true;
  ReplicaReport mine_;
  std::vector<ReplicaReport> peers_;
  std::thread thread_;
};

}  // namespace archway::controller::replicas

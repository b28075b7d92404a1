#pragma once
// The control loop: wait for a (debounced) change → compile the informer
// caches → push the snapshot to this replica's proxy → hand conditions,
// addresses and Events to the status publisher when this replica leads.
// Runs on one thread (run()); never compiles before the first full sync.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "controller/app/acked_generations.h"
#include "controller/app/last_good.h"
#include "controller/app/options.h"
#include "controller/app/programmed_latency.h"
#include "controller/app/trigger.h"
#include "controller/compile/compile.h"
#include "controller/informer/informer_set.h"
#include "controller/replicas/replica_registry.h"
#include "controller/status/jwks_condition.h"
#include "controller/status/route_conditions.h"
#include "controller/status/status_publisher.h"

namespace archway::controller::app {

class Reconciler {
 public:
  // All references outlive the reconciler. `is_leader` is thread-safe.
  // `replicas`: the other replicas' reports (null: this replica counts
  // alone); `latency`: where the leader observes time to programmed.
  Reconciler(AppOptions options, informer::InformerSet& informers,
             status::StatusPublisher& publisher, std::function<bool()> is_leader,
             replicas::ReplicaRegistry* replicas = nullptr, ProgrammedLatency* latency = nullptr);

  // Loops until trigger.stop().
  void run(Trigger& trigger);
  // True once the proxy ACKed any snapshot from this reconciler (readiness).
  // Thread-safe.
  [[nodiscard]] bool programmed() const { return programmed_.load(); }

 private:
  struct CycleResult {
    bool ok = true;       // false: the push must be retried
    bool pushed = false;  // a changed snapshot was sent
  };
  // One compile + push (+ status).
  CycleResult cycle();
  status::StatusBatch status_batch(const compile::CompileResult& result, const ClusterState& state,
                                   const compile::LastGoodObjects& last_good);
  // Across replicas: who serves `v`'s current generation (leader only).
  status::ReplicaProgress progress(const compile::ObjectVerdict& v,
                                   const std::vector<replicas::ReplicaReport>& peers);
  // Tells the other replicas what this replica's proxy holds now.
  void report_to_replicas() const;
  // First sight of each object's current generation (for programmedSeconds).
  void note_generations(const compile::CompileResult& result);
  // Reads the proxy's GET /jwks when routes name a jwksUri and it is due;
  // true when what it says changed (the JWKSReady conditions must be
  // written again).
  bool poll_jwks();

  const AppOptions options_;
  informer::InformerSet& informers_;
  status::StatusPublisher& publisher_;
  std::function<bool()> is_leader_;
  LastGood last_good_;                      // generations to fall back on (DESIGN.md §1)
  compile::TranslationCache translations_;  // what the next compile may reuse
  AckedGenerations acked_;                  // the generations the live snapshot holds
  // The last ACKed snapshot, without its version.
  std::shared_ptr<const config::Snapshot> pushed_snapshot_;
  std::chrono::steady_clock::time_point pushed_at_{};
  status::PushOutcome outcome_;  // the proxy's answer to the latest push
  std::atomic<bool> programmed_{false};
  // JWKSReady (docs/auth.md): the jwksUris of the last compile, by route,
  // and what the proxy last said of them.
  std::map<std::string, std::set<std::string>> jwks_routes_;
  status::JwksReports jwks_reports_;
  std::chrono::steady_clock::time_point jwks_polled_at_{};
  uint64_t sequence_ = 0;
  replicas::ReplicaRegistry* const replicas_;
  ProgrammedLatency* const latency_;
  GenerationHistory history_;  // what this replica compiled lately, by digest
  using ObjectId = std::tuple<std::string, ObjectKey>;  // (kind, key)
  struct Seen {
    int64_t generation = 0;
    std::chrono::steady_clock::time_point at{};
    std::optional<double> programmed_seconds;  // once every replica served it
  };
  std::map<ObjectId, Seen> seen_;
  const std::string version_prefix_;  // start time: versions never repeat across restarts
};

}  // namespace archway::controller::app

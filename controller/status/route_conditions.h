#pragma once
// Verdict + the proxy's answer → APIRoute conditions and Warning Events
// (DESIGN.md §2 status). Pure, so every reason is unit-tested without a
// cluster. The compile's reasons are spelled by compile::reason_name(); the
// Programmed and Ready reasons are decided here.

#include <optional>
#include <string>
#include <vector>

#include "controller/compile/compile.h"
#include "controller/status/status_writer.h"

namespace archway::controller::status {

// What the proxy said about the latest snapshot pushed.
struct PushOutcome {
  enum class State { kPending, kAcked, kNacked } state = State::kPending;
  std::string message;  // NACK message, or why it is pending
};

// Accepted, ResolvedRefs, Programmed, Ready, in that order, then Shadowed
// (True, reason ShadowedRule) only while a rule can never match.
// Programmed is per generation (`programmed`: a proxy ACKed a snapshot
// holding this object's current generation, AckedGenerations::holds): True
// then, whatever became of later pushes. Otherwise False with
// NotAccepted when the object is left out, StaleGeneration when an older
// generation serves instead, Rejected with the proxy's message when the
// latest snapshot was NACKed, Pending before an answer or while the proxy
// is unreachable.
[[nodiscard]] RouteStatus route_status(const compile::ObjectVerdict& verdict,
                                       const PushOutcome& push, bool programmed);

// Across replicas (issue 18, docs/status.md): how many replicas' proxies
// hold the object's current generation, this one included.
struct ReplicaProgress {
  int serving = 0;
  int total = 1;
  // The live replicas that do not hold it yet, each "identity (why)".
  std::vector<std::string> waiting;
  bool any_rejected = false;  // one of them NACKed its latest snapshot
  // Seconds from the generation's first sight to the last replica's ACK,
  // once known.
  std::optional<double> programmed_seconds;
};

// As above, and Programmed True only when every live replica serves the
// current generation (this replica's `programmed` included); otherwise
// False with ReplicasPending or ReplicaRejected naming the replicas it
// waits for. status.programmedReplicas is "serving/total".
[[nodiscard]] RouteStatus route_status(const compile::ObjectVerdict& verdict,
                                       const PushOutcome& push, bool programmed,
                                       const ReplicaProgress& replicas);

// Warning Events for what a person must fix (one per problem).
[[nodiscard]] std::vector<EventSpec> warning_events(const compile::ObjectVerdict& verdict,
                                                    const PushOutcome& push, bool programmed);

// The Normal `Programmed` Event: `verdict`'s current generation is served
// (sent once per generation, when the leader records it as last good).
[[nodiscard]] EventSpec programmed_event(const std::string& kind, const ObjectKey& key,
                                         const std::string& uid, int64_t generation);

}  // namespace archway::controller::status

#pragma once
// Writes what compile + push decided back to the API server: APIRoute
// conditions (status subresource, merge patch; always a list, never null),
// Ingress status.loadBalancer, Warning/Normal Events (events.k8s.io/v1) and
// the last-good annotation.
// Re-reads the object, skips no-op writes, keeps lastTransitionTime unless the
// condition's status flips, retries on 409 Conflict. Called only by the leader.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "controller/k8s/kube_client.h"
#include "controller/k8s/time_format.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::status {

struct Condition {
  std::string type;     // Accepted | ResolvedRefs | Programmed | Ready
  bool status = false;  // "True" / "False" on the wire
  std::string reason;   // CamelCase
  std::string message;
};

struct RouteStatus {
  ObjectKey key;
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  // "2/3": replicas whose proxy serves the current generation / live
  // replicas (docs/status.md); "" leaves the field as it is.
  std::string programmed_replicas;
  // Seconds from the generation's first sight to the last replica's ACK.
  std::optional<double> programmed_seconds;
};

struct EventSpec {
  std::string kind;         // APIRoute | Ingress
  std::string api_version;  // archway.dev/v1alpha1 | networking.k8s.io/v1
  ObjectKey key;
  std::string uid;
  std::string type;  // Normal | Warning
  std::string reason;
  std::string note;
  std::string action = "Reconcile";  // events.k8s.io/v1 requires one
};

// The last-good annotation (controller/app/last_good.h) for one object.
struct LastGoodAnnotation {
  std::string kind;  // APIRoute | Ingress
  ObjectKey key;
  std::string uid;         // written only on this very object
  int64_t generation = 0;  // never replaces a newer generation's record
  std::string name;        // the annotation's name
  std::string value;
};

struct StatusWriterOptions {
  std::string reporting_controller = "archway.dev/ingress-controller";
  std::string reporting_instance;  // e.g. the pod name
  k8s::NowFn now;                  // empty: system_clock::now (tests inject)
  // An identical event (object, type, reason, note) is emitted at most once
  // per window; later duplicates are dropped, not counted.
  std::chrono::milliseconds event_dedupe_window{std::chrono::minutes(10)};
  int max_conflict_retries = 5;  // 409 on a status write: re-read and retry
};

class StatusWriter {
 public:
  virtual ~StatusWriter() = default;
  // Returns true when a write happened (false: nothing changed).
  virtual Result<bool> write_route_status(const RouteStatus& status) = 0;
  // ingress status.loadBalancer.ingress: each entry is an IP or a hostname.
  virtual Result<bool> write_ingress_load_balancer(const ObjectKey& key,
                                                   const std::vector<std::string>& addresses) = 0;
  // Deduplicates identical events (same object, reason, note) within a window.
  virtual Result<void> emit_event(const EventSpec& event) = 0;
  // Sets an annotation on the object itself (merge patch on metadata, with
  // the read resourceVersion as a precondition). Returns true when a write
  // happened (false: the object is gone, another uid, or already holds this
  // or a newer generation).
  virtual Result<bool> write_last_good(const LastGoodAnnotation& annotation) = 0;
};

[[nodiscard]] std::unique_ptr<StatusWriter> make_status_writer(k8s::KubeClient& client,
                                                               std::string reporting_controller,
                                                               std::string reporting_instance);
[[nodiscard]] std::unique_ptr<StatusWriter> make_status_writer(k8s::KubeClient& client,
                                                               StatusWriterOptions options);

}  // namespace archway::controller::status

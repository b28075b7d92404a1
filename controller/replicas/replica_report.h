#pragma once
// What one replica tells the others about its own proxy (issue 18,
// docs/scale.md "Replicas"): a coordination.k8s.io/v1 Lease per replica,
// named after the leader-election Lease and the replica's identity, renewed
// like a leader lease (a replica that dies stops renewing and stops being
// counted) and holding, in one annotation, the digest of the generations
// its proxy ACKed (AckedGenerations::digest) and the proxy's last answer.
// Pure: JSON in, JSON out, time passed in.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/k8s/time_format.h"

namespace archway::controller::replicas {

enum class ProxyState { kPending, kAcked, kNacked };

struct ReplicaReport {
  std::string identity;
  // Digest of the generations the replica's live snapshot holds; "" before
  // its proxy ACKed anything.
  std::string digest;
  ProxyState state = ProxyState::kPending;  // the answer to its latest push
  std::string message;                      // why pending, or the NACK's text
  k8s::TimePoint renewed{};
  int lease_duration_s = 15;

  bool operator==(const ReplicaReport&) const = default;
};

inline constexpr const char* kReplicaOfLabel = "archway.dev/replica-of";
inline constexpr const char* kProxyStateAnnotation = "archway.dev/proxy-state";

// "<base>-replica-<identity>" made a valid object name (lowercase letters,
// digits and '-', at most 63 characters, a hash of the identity keeps two
// identities that clean up alike apart).
[[nodiscard]] std::string replica_lease_name(const std::string& base, const std::string& identity);

// The Lease object for `report` (no resourceVersion: the caller adds it to
// replace an existing one).
[[nodiscard]] nlohmann::json replica_lease(const ReplicaReport& report, const std::string& ns,
                                           const std::string& name, const std::string& base);

// A replica Lease back into a report; nullopt when it is not one (no holder,
// no renewTime).
[[nodiscard]] std::optional<ReplicaReport> parse_replica_lease(const nlohmann::json& lease);

// Counted while renewTime + leaseDurationSeconds lies ahead.
[[nodiscard]] bool live(const ReplicaReport& report, k8s::TimePoint now);

[[nodiscard]] const char* state_name(ProxyState state);

}  // namespace archway::controller::replicas

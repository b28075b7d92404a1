#pragma once
// A Snapshot that passed every check, with what the checks had to parse
// (certificates, keys, trust anchors) carried along so nothing downstream
// parses it again. Only validate_snapshot() makes one (the constructor is
// private), so a function that takes a ValidatedSnapshot — RouteTable::compile,
// the server's swap — cannot be handed something unchecked, and has no reason
// to check it again: one parse and one validation per PUT /config.
//
// Immutable and cheap to copy (shared ownership of const parts); the route
// table keeps the same Snapshot alive rather than a copy of it.

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/config/tls_check.h"

namespace archway::config {

class ValidatedSnapshot;

// The one semantic check of a snapshot (names unique, references resolved,
// regexes and templates compile, TLS material parses), for a Snapshot
// decoded from text (parse_snapshot_*) or built in code (the controller
// checks what it is about to push). Errors name the field.
[[nodiscard]] Result<ValidatedSnapshot> validate_snapshot(Snapshot snapshot);

class ValidatedSnapshot {
 public:
  [[nodiscard]] const Snapshot& snapshot() const { return *snapshot_; }
  const Snapshot& operator*() const { return *snapshot_; }
  const Snapshot* operator->() const { return snapshot_.get(); }
  // Read-only use wherever a Snapshot is asked for (to_json, comparisons).
  operator const Snapshot&() const { return *snapshot_; }  // NOLINT: a checked Snapshot is one

  // For an owner that must keep the Snapshot alive (the route table).
  [[nodiscard]] const std::shared_ptr<const Snapshot>& shared() const { return snapshot_; }

  // The parsed certificate chain of snapshot().virtual_hosts[index]; nullptr
  // when that virtual host has no tls.
  [[nodiscard]] const CertificateChain* server_certificate(size_t virtual_host_index) const;
  // The parsed tlsCaPem of snapshot().clusters[index]; empty when it has none.
  [[nodiscard]] const std::vector<CertificatePtr>& trust_anchors(size_t cluster_index) const;

 private:
  friend Result<ValidatedSnapshot> validate_snapshot(Snapshot snapshot);
  ValidatedSnapshot() = default;

  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<std::optional<CertificateChain>> server_certificates_;  // per virtual host
  std::vector<std::vector<CertificatePtr>> trust_anchors_;            // per cluster
};

}  // namespace archway::config

#pragma once
// Parse + validate a snapshot document (JSON, or YAML which is converted to
// the same tree). Every rejection names the field, e.g.
//   "virtualHosts[0].routes[2].matches[0].path.value: invalid regular expression: ..."
// Pure: no I/O. Used for --config, PUT /config, and by the controller to
// check what it produces before pushing.

#include <string_view>

#include "common/result.h"
#include "proxy/config/snapshot.h"

namespace archway::config {

[[nodiscard]] Result<Snapshot> parse_snapshot_json(std::string_view text);
[[nodiscard]] Result<Snapshot> parse_snapshot_yaml(std::string_view text);
// Chooses by the first non-blank character ('{' = JSON).
[[nodiscard]] Result<Snapshot> parse_snapshot(std::string_view text);

// Go-style durations: "250ms", "15s", "1m", "1h30m". Rejects negatives and junk.
[[nodiscard]] Result<Duration> parse_duration(std::string_view text);

// Serialise back to canonical JSON (used to persist the last accepted
// snapshot and for GET /config's hash).
[[nodiscard]] std::string to_json(const Snapshot& snapshot);

}  // namespace archway::config

#pragma once
// Parse + validate a snapshot document (JSON, or YAML which is converted to
// the same tree). Every rejection names the field, e.g.
//   "virtualHosts[0].routes[2].matches[0].path.value: invalid regular expression: ..."
// Pure: no I/O. Used for --config, PUT /config and the persisted snapshot;
// the result is a ValidatedSnapshot, so what was parsed here is never
// validated or parsed again before it serves.

#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/config/validated_snapshot.h"

namespace archway::config {

[[nodiscard]] Result<ValidatedSnapshot> parse_snapshot_json(std::string_view text);
[[nodiscard]] Result<ValidatedSnapshot> parse_snapshot_yaml(std::string_view text);
// Chooses by the first non-blank character ('{' = JSON).
[[nodiscard]] Result<ValidatedSnapshot> parse_snapshot(std::string_view text);

// Go-style durations: "250ms", "15s", "1m", "1h30m". Rejects negatives and junk.
// Units: ms, s, m, h (fractions allowed when they make whole milliseconds);
// the error's field is empty, callers prefix it.
[[nodiscard]] Result<Duration> parse_duration(std::string_view text);
// Canonical spelling parse_duration accepts back: 5400000ms → "1h30m", 0 → "0s".
[[nodiscard]] std::string format_duration(Duration duration);

// Serialise back to canonical JSON (used to persist the last accepted
// snapshot and for GET /config's hash).
[[nodiscard]] std::string to_json(const Snapshot& snapshot);

// validate_snapshot (the checks parse_snapshot_* run after decoding, for a
// Snapshot built in code) is declared in validated_snapshot.h.

}  // namespace archway::config

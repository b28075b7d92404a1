#pragma once
// Parse + validate a snapshot document (JSON, or YAML which is converted to
// the same tree). Every rejection names the field, e.g.
//   "virtualHosts[0].routes[2].matches[0].path.value: invalid regular expression: ..."
// Pure: no I/O. Used for --config, PUT /config, and by the controller to
// check what it produces before pushing.

#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy/config/snapshot.h"

namespace archway::config {

[[nodiscard]] Result<Snapshot> parse_snapshot_json(std::string_view text);
[[nodiscard]] Result<Snapshot> parse_snapshot_yaml(std::string_view text);
// Chooses by the first non-blank character ('{' = JSON).
[[nodiscard]] Result<Snapshot> parse_snapshot(std::string_view text);

// Go-style durations: "250ms", "15s", "1m", "1h30m". Rejects negatives and junk.
// Units: ms, s, m, h (fractions allowed when they make whole milliseconds);
// the error's field is empty, callers prefix it.
[[nodiscard]] Result<Duration> parse_duration(std::string_view text);
// Canonical spelling parse_duration accepts back: 5400000ms → "1h30m", 0 → "0s".
[[nodiscard]] std::string format_duration(Duration duration);

// Serialise back to canonical JSON (used to persist the last accepted
// snapshot and for GET /config's hash).
[[nodiscard]] std::string to_json(const Snapshot& snapshot);

// The semantic checks parse_snapshot_* run after decoding (names unique,
// references resolved, regexes and templates compile, TLS material parses),
// for a Snapshot built in code rather than parsed.
[[nodiscard]] Result<void> validate_snapshot(const Snapshot& snapshot);

}  // namespace archway::config

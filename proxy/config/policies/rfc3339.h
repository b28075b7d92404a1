#pragma once
// RFC 3339 date-times, as Kubernetes writes `format: date-time` fields:
// "2026-01-31T00:00:00Z", with optional fractional seconds (dropped: the
// headers that carry these times have whole seconds) and a numeric offset.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace archway::config {

// nullopt for anything malformed (a day the month lacks, hour 24, a lower
// case 't' or 'z' is accepted as RFC 3339 §5.6 allows).
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);
// "2026-01-31T00:00:00Z": always UTC, whole seconds.
[[nodiscard]] std::string format_rfc3339(std::chrono::sys_seconds when);

}  // namespace archway::config

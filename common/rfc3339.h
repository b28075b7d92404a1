#pragma once
// RFC 3339 date-times, as Kubernetes writes them: `format: date-time`
// fields and metav1.Time ("2026-01-31T00:00:00Z"), metav1.MicroTime (with
// microseconds), any numeric offset. One parser for the proxy's snapshot
// fields and the controller's API objects.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace archway {

// nullopt for anything malformed (a day the month lacks, hour 24); a lower
// case 't' or 'z' is accepted as RFC 3339 §5.6 allows. Fractional digits
// past microseconds are truncated; a leap second reads as the next second.
[[nodiscard]] std::optional<std::chrono::sys_time<std::chrono::microseconds>> parse_rfc3339_micro(
    std::string_view text);
// The same, in whole seconds (the fraction dropped): what HTTP headers can say.
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);
// "2026-01-31T00:00:00Z": always UTC, whole seconds.
[[nodiscard]] std::string format_rfc3339(std::chrono::sys_seconds when);

}  // namespace archway

#pragma once
// RFC 3339 timestamps as the API server writes them: metav1.Time (seconds,
// "2006-01-02T15:04:05Z") and metav1.MicroTime (microseconds,
// "2006-01-02T15:04:05.000000Z"). Always UTC on output; any offset on input.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace archway::controller::k8s {

using TimePoint = std::chrono::system_clock::time_point;
// Injectable wall clock (tests pass a fake; empty means system_clock::now).
using NowFn = std::function<TimePoint()>;

[[nodiscard]] std::string format_time(TimePoint t);        // metav1.Time
[[nodiscard]] std::string format_micro_time(TimePoint t);  // metav1.MicroTime
// Accepts an optional fraction (any number of digits) and "Z" or "+hh:mm".
[[nodiscard]] std::optional<TimePoint> parse_time(std::string_view text);

}  // namespace archway::controller::k8s

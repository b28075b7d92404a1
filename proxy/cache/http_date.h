#pragma once
// HTTP dates (RFC 9110 §5.6.7): the three formats a recipient must accept,
// and the one a sender writes (IMF-fixdate). Pure: the only clock read is the
// current year that an RFC 850 two-digit year is resolved against, and the
// overload taking that year is what the tests use.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace archway::cache {

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday,
// 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov  6 08:49:37 1994").
// Surrounding whitespace is ignored; anything else malformed (a day that
// the month does not have, hour 24, "UTC" for "GMT") is nullopt. The day
// name is checked for spelling, not against the date (§5.6.7 lets a
// recipient ignore a wrong weekday).
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);
// An RFC 850 year "yy" is the year ending in yy that is not more than 50
// years after `current_year` (§5.6.7).
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_http_date(
    std::string_view text, std::chrono::year current_year);

// Appends `when` as IMF-fixdate (29 bytes).
void append_http_date(std::string& out, std::chrono::sys_seconds when);

}  // namespace archway::cache

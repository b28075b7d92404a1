#pragma once
// The small JSON error body of DESIGN.md §4, shared by the exchange, the
// client codecs and the filters' local answers.

#include <string>
#include <string_view>

namespace archway::http {

// {"error":"...","status":N}; quotes and backslashes escaped, control
// characters dropped.
[[nodiscard]] std::string error_body(std::string_view message, int status);

}  // namespace archway::http

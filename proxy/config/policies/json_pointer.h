#pragma once
// JSON Pointer (RFC 6901) syntax: "" is the whole document; otherwise each
// reference token follows a '/', with "~0" for '~' and "~1" for '/'. Pure
// and JSON-free, so the policy validators and the body mapping filter split
// pointers the same way.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archway::config {

// The unescaped reference tokens, or nullopt when `pointer` is not RFC 6901
// (does not start with '/', or has a '~' not followed by '0' or '1').
[[nodiscard]] std::optional<std::vector<std::string>> parse_json_pointer(std::string_view pointer);

}  // namespace archway::config

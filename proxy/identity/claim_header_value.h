#pragma once
// forwardClaims for any claim set (a verified JWT's claims, an
// introspection response): a top-level claim as a request header value.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace archway::identity {

// A string as is, a number in JSON notation, a bool as true/false. nullopt
// for a missing claim, an object, an array or null (no encoding of structure
// into a header is obvious enough to be safe), and for a string holding a
// control character other than tab (it would split or smuggle a header).
[[nodiscard]] std::optional<std::string> claim_header_value(const nlohmann::json& claims,
                                                            std::string_view name);

}  // namespace archway::identity

#pragma once
// JSON for JOSE: a header, a claim set or a JWKS must be one object, with no
// duplicate member names at any depth (RFC 7515 §4 and RFC 7519 §4 allow a
// parser to reject them; two parsers taking different duplicates is how a
// signed token gets read two ways) and bounded nesting. Never throws.

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace archway::identity {

inline constexpr int kMaxJsonDepth = 16;

// The parsed object, or nullopt for invalid JSON (including invalid UTF-8),
// a top level that is not an object, a duplicate name, or deeper nesting
// than kMaxJsonDepth.
[[nodiscard]] std::optional<nlohmann::json> parse_strict_json_object(std::string_view text);

}  // namespace archway::identity

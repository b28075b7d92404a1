#pragma once
// YAML → the JSON tree the snapshot decoder reads, so both syntaxes share one
// decoder and one set of messages. yaml-cpp exceptions stop here.
//
// Scalars follow YAML 1.2's core schema for plain (unquoted) text: null,
// true/false, decimal integers and floats; quoted scalars and everything else
// are strings. Non-finite floats, duplicate keys, non-scalar keys, invalid
// UTF-8 and alias bombs are errors, so every accepted document is also valid
// JSON with the same meaning.

#include <string_view>

#include "common/result.h"
#include "proxy/config/json_decoder.h"

namespace archway::config {

// Nesting deeper than this is rejected in both syntaxes (recursion bound).
inline constexpr int kMaxNesting = 64;

[[nodiscard]] Result<Json> yaml_to_json(std::string_view text);

// Structural validity of UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
[[nodiscard]] bool is_valid_utf8(std::string_view text);

}  // namespace archway::config

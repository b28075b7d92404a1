#pragma once
// Request path normalisation before matching (docs/routing.md
// "Normalisation"). Routes are matched against the normalised path, so
// "/admin/../public" and "/%61dmin" cannot slip past a route written for the
// plain spelling, and the backend receives the same normalised path.
//
//   1. %XX that decodes to an RFC 3986 unreserved character (A-Z a-z 0-9 - . _ ~)
//      is decoded; every other escape is kept, with upper-case hex digits.
//   2. Runs of '/' collapse to one.
//   3. "." and ".." segments are removed (RFC 3986 §5.2.4); ".." never climbs
//      above the root.
// Rejected (the network side answers 400): a path not starting with '/',
// a malformed escape, an encoded '/' (%2F: ambiguous to every backend) and
// NUL, raw or encoded (%00).
//
// The query string is not part of `path` and is never touched.

#include <string>
#include <string_view>

#include "common/result.h"

namespace archway::routing {

// The value of one hex digit (either case), or -1: percent-decoding here and
// in query matching.
[[nodiscard]] int hex_value(char c);

// Pure; allocates the result only. The error's field is "path".
[[nodiscard]] Result<std::string> normalize_path(std::string_view path);

}  // namespace archway::routing

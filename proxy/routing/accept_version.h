#pragma once
// The version a request asks for through a media-type parameter of Accept
// (`Accept: application/vnd.example+json; version=2`), parsed per RFC 9110
// §12.5.1 (media ranges, parameters, quality values §12.4.2). Pure.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace archway::routing {

// From the Accept field values given (repeated fields form one list), the
// `parameter` of the acceptable media range with the highest quality that
// carries it; ties go to the first listed. A range counts when it covers
// `media_type` (lower case; "type/*" and "*/*" cover every subtype / type),
// or always when `media_type` is empty. `q=0` means "not acceptable": such
// a range never supplies a version. Parameter names compare
// case-insensitively, values exactly (a quoted-string is unquoted first).
// A malformed list element is skipped, as an unparsable preference says
// nothing; nullopt when no range supplies the parameter.
[[nodiscard]] std::optional<std::string> accept_version(std::span<const std::string_view> fields,
                                                        std::string_view media_type,
                                                        std::string_view parameter);

}  // namespace archway::routing

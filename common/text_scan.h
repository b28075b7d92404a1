#pragma once
// Character-level scans that several layers need (the snapshot's checks,
// the route matcher, the body mapper) and that belong to none of them.
// Header-only and allocation-free.

#include <cstddef>
#include <string_view>

namespace archway {

// RFC 9110 §5.6.2 tchar: the characters of a token (field names, media-type
// parameters, cookie names).
[[nodiscard]] constexpr bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Whether a JSON text nests arrays and objects at most `limit` deep,
// counting brackets outside strings. Run before parsing, so a hostile text
// of brackets never reaches a recursive parser or serialiser; it says
// nothing about whether the text is valid JSON.
[[nodiscard]] constexpr bool json_nesting_within(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

}  // namespace archway

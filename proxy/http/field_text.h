#pragma once
// Small text helpers for field values, shared by the codecs and the filters
// (RFC 9110 §5.6: lists, optional whitespace; field names and most tokens
// compare without case).

#include <string_view>

namespace archway::http {

// ASCII case-insensitive equality (field names, tokens, schemes, hosts).
[[nodiscard]] inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // the usual case, one memcmp
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Strips optional whitespace (OWS: spaces and tabs) at both ends.
[[nodiscard]] inline std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace archway::http

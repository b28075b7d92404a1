#include "proxy/config/policies/json_pointer.h"

namespace archway::config {

std::optional<std::vector<std::string>> parse_json_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return std::nullopt;
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (pointer[i] != '~') {
      token.push_back(pointer[i]);
      continue;
    }
    // RFC 6901 §4: "~1" is '/', "~0" is '~'; anything else is an error.
    if (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
      return std::nullopt;
    }
    token.push_back(pointer[i + 1] == '0' ? '~' : '/');
    ++i;
  }
  return tokens;
}

}  // namespace archway::config

#include "proxy/balancing/affinity_cookie.h"

#include <algorithm>

namespace archway::balancing {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    const std::string_view pair = trim(header.substr(0, end));
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      return trim(pair.substr(eq + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::string cookie_value(uint64_t random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[random & 0xf];
    random >>= 4;
  }
  return out;
}

std::string set_cookie(std::string_view name, std::string_view value, std::chrono::milliseconds ttl,
                       std::string_view path) {
  std::string out;
  out.append(name).append("=").append(value).append("; Path=").append(path);
  if (ttl.count() > 0) {
    // Max-Age counts whole seconds; a ttl under one second still lasts one.
    const auto seconds = std::max<int64_t>(1, (ttl.count() + 999) / 1000);
    out.append("; Max-Age=").append(std::to_string(seconds));
  }
  out.append("; HttpOnly");
  return out;
}

}  // namespace archway::balancing

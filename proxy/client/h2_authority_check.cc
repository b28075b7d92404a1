#include "proxy/client/h2_authority_check.h"

namespace archway::client {

namespace {

// Drops ":80" (http) or ":443" (https) from the end of an authority; an
// IPv6 literal's colons sit inside its brackets, so only a colon after the
// last ']' starts a port.
std::string_view without_default_port(std::string_view authority, std::string_view scheme) {
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return authority;
  const auto bracket = authority.rfind(']');
  if (bracket != std::string_view::npos && bracket > colon) return authority;
  const std::string_view port = authority.substr(colon + 1);
  const std::string_view default_port = scheme == "https" ? "443" : "80";
  return port == default_port ? authority.substr(0, colon) : authority;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool same_authority(std::string_view a, std::string_view b, std::string_view scheme) {
  a = without_default_port(a, scheme);
  b = without_default_port(b, scheme);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace archway::client

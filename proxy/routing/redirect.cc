#include "proxy/routing/redirect.h"

#include <charconv>

#include "proxy/routing/route_table.h"

namespace archway::routing {
namespace {

// The port after the host in `authority` ("h:8080", "[::1]:8080"); 0 when
// there is none or it is not a number in 1..65535.
unsigned authority_port(std::string_view authority) {
  size_t colon = std::string_view::npos;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close != std::string_view::npos && close + 1 < authority.size() &&
        authority[close + 1] == ':') {
      colon = close + 1;
    }
  } else {
    colon = authority.rfind(':');
  }
  if (colon == std::string_view::npos) return 0;
  const std::string_view digits = authority.substr(colon + 1);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc{} || end != digits.data() + digits.size() || value > 65535) return 0;
  return value;
}

unsigned default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

}  // namespace

std::string redirect_location(const config::Redirect& redirect, const RedirectRequest& request) {
  const std::string_view scheme = redirect.scheme ? *redirect.scheme : request.scheme;
  // 0: no port in the Location. (An std::optional here trips gcc 12's
  // -Wmaybe-uninitialized inside std::to_string.)
  unsigned port = redirect.port.value_or(0);
  if (port == 0 && !redirect.scheme) port = authority_port(request.authority);
  if (port == default_port(scheme)) port = 0;

  std::string location(scheme);
  location += "://";
  location += redirect.hostname ? *redirect.hostname : normalize_host(request.authority);
  if (port != 0) location.append(":").append(std::to_string(port));
  location += redirect.path ? std::string_view(*redirect.path) : request.path;
  if (!request.query.empty()) location.append("?").append(request.query);
  return location;
}

}  // namespace archway::routing

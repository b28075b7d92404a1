#pragma once
// The Location header of a redirect action, with the rules of Gateway API's
// RequestRedirect filter (docs/apiroute.md "redirect"). Pure, so that each
// rule is unit-tested without a socket; the exchange adds the route's
// responseHeaders to the answer.

#include <string>
#include <string_view>

#include "proxy/config/snapshot.h"

namespace archway::routing {

// What a redirect reads from the request.
struct RedirectRequest {
  std::string_view scheme;     // "http" | "https": what the client used
  std::string_view authority;  // Host / :authority as received; may carry a port
  std::string_view path;       // the normalised path the route matched
  std::string_view query;      // after the '?', without it; empty for none
};

// The Location for `redirect`:
//  - scheme and host: the redirect's, else the request's (the host without
//    its port, lowercased);
//  - port: the redirect's; else, when the redirect sets no scheme, the port
//    the client named in the authority (the listener's port, which Gateway
//    API keeps); else none. A port that is its scheme's default (http 80,
//    https 443) is left out;
//  - path: the redirect's, else the request's; the query string is kept in
//    both cases (Gateway API's ReplaceFullPath keeps it too).
[[nodiscard]] std::string redirect_location(const config::Redirect& redirect,
                                            const RedirectRequest& request);

}  // namespace archway::routing

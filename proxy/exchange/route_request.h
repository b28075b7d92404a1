#pragma once
// Which route a request runs: RouteTable::match, except that a CORS
// preflight (OPTIONS with Origin and Access-Control-Request-Method) on a
// route with a CORS policy is matched as the request it announces, so a
// rule for GET answers its preflight (docs/policies.md "CORS"). Pure.

#include <optional>

#include "proxy/exchange/table_context.h"
#include "proxy/http/message.h"
#include "proxy/routing/route_table.h"

namespace archway::exchange {

// `head` is the request as routed; `headers` its fields (for the preflight
// ones). Any other OPTIONS request, and a preflight whose announced route
// has no CORS policy, is matched as itself.
[[nodiscard]] std::optional<routing::RouteMatch> route_request(const TableContext& table,
                                                               const routing::RequestHead& head,
                                                               const http::Headers& headers);

}  // namespace archway::exchange

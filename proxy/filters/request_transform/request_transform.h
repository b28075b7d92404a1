#pragma once
// Request transformation (DESIGN.md §1): the route's rewrite (path,
// hostname) and requestHeaders operations, just before the request goes to
// a backend. The forwarding headers (X-Forwarded-*, X-Request-Id,
// traceparent) stay with the exchange: they are not a policy. The only
// header of filters/request_transform/ the registry may name.

#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// nullptr when the route has no backend or nothing to transform. Stateless
// per exchange.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_request_transform_filter(
    const config::Route& route);

}  // namespace archway::filters

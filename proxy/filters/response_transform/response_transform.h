#pragma once
// Response transformation (DESIGN.md §1): the route's responseHeaders
// operations on the backend's response head and on the route's own local
// answers (redirect, directResponse), as before the chain. The only header
// of filters/response_transform/ the registry may name.

#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// nullptr when the route has no responseHeaders operations. Response hook
// only; stateless per exchange.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_response_transform_filter(
    const config::Route& route);

}  // namespace archway::filters

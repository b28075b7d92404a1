#pragma once
// The route's directResponse action as a filter: answers locally with the
// configured status, content type and body. The only header of
// filters/direct_response/ the registry may name.

#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// nullptr when the route has no direct response. Stateless per exchange.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_direct_response_filter(
    const config::Route& route);

}  // namespace archway::filters

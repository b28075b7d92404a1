#pragma once
// The route's redirect action as a filter: answers locally with the
// Location of routing/redirect.h. The only header of filters/redirect/ the
// registry may name.

#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// nullptr when the route has no httpsRedirect. Stateless per exchange.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_https_redirect_filter(
    const config::Route& route);

// nullptr when the route has no redirect. Stateless per exchange.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_redirect_filter(const config::Route& route);

}  // namespace archway::filters

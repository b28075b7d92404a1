#pragma once
// Body mapping (docs/transform.md): the route's requestBody and
// responseBody operations on whole JSON bodies, in the request
// transformation / response transformation place of the chain (DESIGN.md
// §1). The only header of filters/body_map/ the registry may name.

#include <memory>

#include "proxy/config/snapshot.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// nullptr when the route maps neither body: such a route never buffers.
// Whole-body hooks only; stateless per exchange.
[[nodiscard]] std::unique_ptr<const FilterConfig> make_body_map_filter(const config::Route& route);

}  // namespace archway::filters

#pragma once
// The CORS policy as a filter (docs/policies.md "CORS"): answers preflights
// at the edge and adds the CORS response fields for allowed origins. The
// only header of filters/cors/ the registry may name.

#include <memory>

#include "proxy/config/policies/cors.h"
#include "proxy/filters/filter.h"

namespace archway::filters {

// Compiled once per snapshot; stateless per exchange (no allocation).
[[nodiscard]] std::unique_ptr<const FilterConfig> make_cors_filter(const config::Cors& config);

}  // namespace archway::filters

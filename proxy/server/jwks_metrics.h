#pragma once
// The JWKS fetch metrics of the process's cache (docs/auth.md "Metrics"):
// archway_auth_jwks_fetches_total{result} and
// archway_auth_jwks_fetch_duration_seconds.

#include <string>

#include "proxy/identity/jwks_fetch_stats.h"

namespace archway::server {

[[nodiscard]] std::string render_jwks_metrics(const identity::JwksFetchCounts& counts);

}  // namespace archway::server

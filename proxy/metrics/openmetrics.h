#pragma once
// OpenMetrics 1.0 for a scrape that asks for it (docs/observability.md
// "Exemplars"): Prometheus only reads exemplars from that format. The
// families are rendered once, in the Prometheus text format with the
// exemplars added (prometheus.h), and translated here: a counter family's
// name loses its `_total` in `# HELP`/`# TYPE` (its samples keep it), and
// the exposition ends with `# EOF`. Pure: tested on fixed inputs.

#include <string>
#include <string_view>

namespace archway::metrics {

inline constexpr std::string_view kOpenMetricsContentType =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4";

// True when `accept` (a request's Accept field) prefers OpenMetrics to the
// Prometheus text format (by q-value; a tie goes to OpenMetrics, which a
// client only names when it can read it).
[[nodiscard]] bool wants_openmetrics(std::string_view accept);

// Prometheus text (as prometheus.h renders it) → OpenMetrics text.
[[nodiscard]] std::string to_openmetrics(std::string_view prometheus_text);

}  // namespace archway::metrics

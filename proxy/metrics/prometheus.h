#pragma once
// Prometheus text exposition (format 0.0.4) of the merged worker stats and
// the process-wide gauges. Pure: tested on fixed inputs.

#include <cstdint>
#include <string>

#include "proxy/metrics/worker_stats.h"

namespace archway::metrics {

struct ProcessGauges {
  std::string config_version;       // "" before the first snapshot
  double config_apply_seconds = 0;  // duration of the last accepted apply
  bool ready = false;
  bool draining = false;
  uint64_t access_log_dropped = 0;  // lines the access log's full queue dropped
};

// `exemplars`: the duration histogram's buckets carry their exemplars
// (OpenMetrics syntax; only for a scrape that asked for OpenMetrics, see
// openmetrics.h).
[[nodiscard]] std::string render_prometheus(const StatsSnapshot& stats, const ProcessGauges& gauges,
                                            bool exemplars = false);

// Escapes a label value (backslash, double quote, newline).
[[nodiscard]] std::string escape_label(const std::string& value);

}  // namespace archway::metrics

#pragma once
// Prometheus text for metric families that process-wide objects own (not
// the per-worker stats of prometheus.h): a counter with one label, a
// histogram without labels. Pure: tested on fixed inputs.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/metrics/histogram.h"

namespace archway::metrics {

// `# HELP`, `# TYPE ... counter`, then one `name{label="value"} count` per
// entry, in the given order (an entry with a zero count is written too, so
// a dashboard finds every label value).
[[nodiscard]] std::string render_labelled_counter(
    std::string_view name, std::string_view help, std::string_view label,
    const std::vector<std::pair<std::string, uint64_t>>& values);

// `counts` holds one count per bucket (not cumulative), the last one for
// +Inf, so counts.size() == bounds.size() + 1.
struct HistogramView {
  std::span<const double> bounds;
  std::span<const uint64_t> counts;
  double sum = 0;
  uint64_t count = 0;
};
[[nodiscard]] std::string render_histogram(std::string_view name, std::string_view help,
                                           const HistogramView& histogram);

// The series of one histogram, without `# HELP`/`# TYPE`: `labels` are
// written before `le` ("k=\"v\"," or empty); `exemplars` (optional, one per
// bucket) are written in OpenMetrics syntax.
void append_histogram_series(std::string& out, std::string_view name, std::string_view labels,
                             const HistogramView& histogram, const Exemplars* exemplars = nullptr);

// A sample value: the shortest text that reads back as `v`.
[[nodiscard]] std::string format_number(double v);

}  // namespace archway::metrics

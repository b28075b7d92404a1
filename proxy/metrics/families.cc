#include "proxy/metrics/families.h"

#include <charconv>
#include <cstdio>

#include "proxy/metrics/prometheus.h"

namespace archway::metrics {
namespace {

std::string header(std::string_view name, std::string_view help, std::string_view type) {
  std::string out = "# HELP ";
  out.append(name).append(" ").append(help).append("\n# TYPE ");
  out.append(name).append(" ").append(type).append("\n");
  return out;
}

}  // namespace

std::string render_labelled_counter(std::string_view name, std::string_view help,
                                    std::string_view label,
                                    const std::vector<std::pair<std::string, uint64_t>>& values) {
  std::string out = header(name, help, "counter");
  for (const auto& [value, count] : values) {
    out.append(name).append("{").append(label).append("=\"");
    out += escape_label(value) + "\"} " + std::to_string(count) + "\n";
  }
  return out;
}

std::string format_number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

void append_histogram_series(std::string& out, std::string_view name, std::string_view labels,
                             const HistogramView& h, const Exemplars* exemplars) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    char le[32];
    if (i < h.bounds.size()) {
      std::snprintf(le, sizeof le, "%g", h.bounds[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ");
    out += std::to_string(cumulative);
    if (exemplars != nullptr && i < exemplars->by_bucket.size() && exemplars->by_bucket[i].set) {
      const auto& e = exemplars->by_bucket[i];
      char ts[32];
      std::snprintf(ts, sizeof ts, "%.3f", e.unix_seconds);
      out.append(" # {trace_id=\"").append(e.trace_id.data(), e.trace_id.size()).append("\"} ");
      out += format_number(e.value) + " " + ts;
    }
    out += "\n";
  }
  std::string suffix;
  if (!labels.empty()) {
    suffix = "{";
    suffix.append(labels.substr(0, labels.size() - 1)).append("}");
  }
  out.append(name).append("_sum").append(suffix) += " " + format_number(h.sum) + "\n";
  out.append(name).append("_count").append(suffix) += " " + std::to_string(h.count) + "\n";
}

std::string render_histogram(std::string_view name, std::string_view help,
                             const HistogramView& histogram) {
  std::string out = header(name, help, "histogram");
  append_histogram_series(out, name, "", histogram);
  return out;
}

}  // namespace archway::metrics

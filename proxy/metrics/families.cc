#include "proxy/metrics/families.h"

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

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
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

std::string render_histogram(std::string_view name, std::string_view help,
                             const HistogramView& histogram) {
  std::string out = header(name, help, "histogram");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram.bounds.size() && i < histogram.counts.size(); ++i) {
    cumulative += histogram.counts[i];
    char le[32];
    std::snprintf(le, sizeof le, "%g", histogram.bounds[i]);
    out.append(name).append("_bucket{le=\"").append(le).append("\"} ");
    out += std::to_string(cumulative) + "\n";
  }
  if (histogram.counts.size() > histogram.bounds.size()) cumulative += histogram.counts.back();
  out.append(name).append("_bucket{le=\"+Inf\"} ") += std::to_string(cumulative) + "\n";
  out.append(name).append("_sum ") += number(histogram.sum) + "\n";
  out.append(name).append("_count ") += std::to_string(histogram.count) + "\n";
  return out;
}

}  // namespace archway::metrics

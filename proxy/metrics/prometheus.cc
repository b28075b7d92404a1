#include "proxy/metrics/prometheus.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "proxy/metrics/families.h"

namespace archway::metrics {
namespace {

void append_histogram(std::string& out, const std::string& name, const std::string& labels,
                      const DurationHistogram& h, const Exemplars* exemplars) {
  append_histogram_series(out, name, labels,
                          HistogramView{kDurationBuckets, h.buckets, h.sum, h.count}, exemplars);
}

void render_upstream(const StatsSnapshot& stats, std::string& out) {
  out +=
      "# HELP archway_upstream_requests_total Attempts a backend cluster answered, by cluster "
      "and status code.\n"
      "# TYPE archway_upstream_requests_total counter\n";
  for (const auto& [cluster, counts] : stats.upstream) {
    auto codes = counts.codes;
    std::sort(codes.begin(), codes.end());
    for (const auto& [code, n] : codes) {
      out += "archway_upstream_requests_total{cluster=\"" + escape_label(cluster) + "\",code=\"" +
             std::to_string(code) + "\"} " + std::to_string(n) + "\n";
    }
  }
  static constexpr std::array<std::pair<const char*, const char*>, kUpstreamFailureCount>
      kFailures = {{
          {"archway_upstream_connect_failures_total",
           "Attempts that could not connect to a backend (TCP or TLS)."},
          {"archway_upstream_resets_total",
           "Attempts whose connection or stream was reset or broken before a complete answer."},
          {"archway_upstream_timeouts_total",
           "Attempts that ran out of time (backendRequest or the request timeout)."},
      }};
  for (size_t f = 0; f < kFailures.size(); ++f) {
    const std::string name = kFailures[f].first;
    out += "# HELP " + name + " " + kFailures[f].second + "\n# TYPE " + name + " counter\n";
    for (const auto& [cluster, counts] : stats.upstream) {
      out += name + "{cluster=\"" + escape_label(cluster) + "\"} " +
             std::to_string(counts.failures[f]) + "\n";
    }
  }
  out +=
      "# HELP archway_upstream_request_duration_seconds Time from an attempt's start to the "
      "backend's response head, by cluster.\n"
      "# TYPE archway_upstream_request_duration_seconds histogram\n";
  for (const auto& [cluster, counts] : stats.upstream) {
    append_histogram(out, "archway_upstream_request_duration_seconds",
                     "cluster=\"" + escape_label(cluster) + "\",", counts.head_time, nullptr);
  }
  out +=
      "# HELP archway_upstream_connections_active Backend connections open now, by the cluster "
      "that opened them.\n"
      "# TYPE archway_upstream_connections_active gauge\n";
  for (const auto& [cluster, n] : stats.upstream_connections) {
    out += "archway_upstream_connections_active{cluster=\"" + escape_label(cluster) + "\"} " +
           std::to_string(n) + "\n";
  }
}

}  // namespace

std::string escape_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_prometheus(const StatsSnapshot& stats, const ProcessGauges& gauges,
                              bool exemplars) {
  std::string out;
  out += "# HELP archway_requests_total Requests completed, by route, rule and status code.\n";
  out += "# TYPE archway_requests_total counter\n";
  for (const auto& [key, count] : stats.requests) {
    const auto& [route, rule, code] = key;
    out += "archway_requests_total{route=\"" + escape_label(route) + "\",rule=\"" +
           escape_label(rule) + "\",code=\"" + std::to_string(code) + "\"} " +
           std::to_string(count) + "\n";
  }
  // Policy counters: every family is written (HELP and TYPE) even before
  // its first event, so a dashboard finds the name.
  for (size_t c = 0; c < kPolicyCounterNames.size(); ++c) {
    const std::string name = kPolicyCounterNames[c].family;
    if (c == 0 || name != kPolicyCounterNames[c - 1].family) {
      out += "# HELP " + name + " Policy events, by route and rule.\n";
      out += "# TYPE " + name + " counter\n";
    }
    const char* reason = kPolicyCounterNames[c].reason;
    const std::string reason_label =
        reason ? ",reason=\"" + std::string(reason) + "\"" : std::string();
    for (const auto& [key, count] : stats.policy_events) {
      const auto& [route, rule, counter] = key;
      if (counter != static_cast<int>(c)) continue;
      out += name + "{route=\"" + escape_label(route) + "\",rule=\"" + escape_label(rule) + "\"" +
             reason_label + "} " + std::to_string(count) + "\n";
    }
  }
  out +=
      "# HELP archway_version_requests_total Requests served as a declared API version, by "
      "route, rule and version.\n";
  out += "# TYPE archway_version_requests_total counter\n";
  for (const auto& [key, count] : stats.version_requests) {
    const auto& [route, rule, version] = key;
    out += "archway_version_requests_total{route=\"" + escape_label(route) + "\",rule=\"" +
           escape_label(rule) + "\",version=\"" + escape_label(version) + "\"} " +
           std::to_string(count) + "\n";
  }
  out +=
      "# HELP archway_aggregate_part_requests_total Aggregate part fetches, by route, rule, part "
      "and outcome.\n";
  out += "# TYPE archway_aggregate_part_requests_total counter\n";
  for (const auto& [key, count] : stats.aggregate_parts) {
    const auto& [route, rule, part, outcome] = key;
    out += "archway_aggregate_part_requests_total{route=\"" + escape_label(route) + "\",rule=\"" +
           escape_label(rule) + "\",part=\"" + escape_label(part) + "\",outcome=\"" +
           kAggregateOutcomeNames[static_cast<size_t>(outcome)] + "\"} " + std::to_string(count) +
           "\n";
  }
  out +=
      "# HELP archway_upstream_retries_total Requests sent again to a backend cluster, by "
      "reason.\n";
  out += "# TYPE archway_upstream_retries_total counter\n";
  for (const auto& [cluster, counts] : stats.retries) {
    for (size_t i = 0; i < kRetryReasonNames.size(); ++i) {
      out += "archway_upstream_retries_total{cluster=\"" + escape_label(cluster) + "\",reason=\"" +
             kRetryReasonNames[i] + "\"} " + std::to_string(counts[i]) + "\n";
    }
  }
  out +=
      "# HELP archway_upstream_retry_budget_exhausted_total Retries not made because the "
      "cluster's retry budget was spent.\n";
  out += "# TYPE archway_upstream_retry_budget_exhausted_total counter\n";
  for (const auto& [cluster, counts] : stats.retries) {
    out += "archway_upstream_retry_budget_exhausted_total{cluster=\"" + escape_label(cluster) +
           "\"} " + std::to_string(counts[kRetryBudgetExhaustedSlot]) + "\n";
  }
  out +=
      "# HELP archway_request_duration_seconds Time from request head to response end, by "
      "route.\n";
  out += "# TYPE archway_request_duration_seconds histogram\n";
  for (const auto& [route, h] : stats.durations) {
    const Exemplars* e = nullptr;
    if (exemplars) {
      auto it = stats.exemplars.find(route);
      if (it != stats.exemplars.end()) e = &it->second;
    }
    append_histogram(out, "archway_request_duration_seconds",
                     "route=\"" + escape_label(route) + "\",", h, e);
  }
  render_upstream(stats, out);
  render_introspection_calls(stats.introspection_calls, out);
  out += "# HELP archway_connections_active Client connections open now.\n";
  out += "# TYPE archway_connections_active gauge\n";
  out += "archway_connections_active " + std::to_string(stats.connections_active) + "\n";
  out +=
      "# HELP archway_http2_glitch_goaways_total HTTP/2 connections closed by the glitch "
      "limiter.\n";
  out += "# TYPE archway_http2_glitch_goaways_total counter\n";
  out += "archway_http2_glitch_goaways_total " + std::to_string(stats.h2_glitch_goaways) + "\n";
  out +=
      "# HELP archway_worker_loop_exceptions_total Exceptions that escaped a worker's event-loop "
      "handler (bugs).\n";
  out += "# TYPE archway_worker_loop_exceptions_total counter\n";
  out +=
      "archway_worker_loop_exceptions_total " + std::to_string(stats.worker_loop_exceptions) + "\n";
  // The version is opaque text; the gauge carries it as a number when it
  // is one, and always as the `version` label.
  const char* begin = gauges.config_version.c_str();
  char* end = nullptr;
  const double numeric = std::strtod(begin, &end);
  const bool is_number = !gauges.config_version.empty() && end != nullptr && *end == '\0';
  out += "# HELP archway_config_version Version of the live snapshot (0 before the first).\n";
  out += "# TYPE archway_config_version gauge\n";
  out += "archway_config_version{version=\"" + escape_label(gauges.config_version) + "\"} " +
         format_number(is_number ? numeric : (gauges.config_version.empty() ? 0 : 1)) + "\n";
  out +=
      "# HELP archway_config_apply_duration_seconds Time the last accepted snapshot took to "
      "apply.\n";
  out += "# TYPE archway_config_apply_duration_seconds gauge\n";
  out +=
      "archway_config_apply_duration_seconds " + format_number(gauges.config_apply_seconds) + "\n";
  out +=
      "# HELP archway_access_log_dropped_total Access-log lines dropped because the queue was "
      "full.\n";
  out += "# TYPE archway_access_log_dropped_total counter\n";
  out += "archway_access_log_dropped_total " + std::to_string(gauges.access_log_dropped) + "\n";
  out += "# HELP archway_ready 1 when a snapshot is live and the proxy is not draining.\n";
  out += "# TYPE archway_ready gauge\n";
  out += std::string("archway_ready ") + (gauges.ready && !gauges.draining ? "1" : "0") + "\n";
  return out;
}

}  // namespace archway::metrics

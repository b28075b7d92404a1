#include "proxy/tracing/tracer.h"

#include <unistd.h>

#include <climits>

#include "proxy/metrics/families.h"
#include "proxy/tracing/otlp_http.h"

namespace archway::tracing {
namespace {

std::string host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

}  // namespace

Result<std::unique_ptr<Tracer>> Tracer::create(TracerOptions options) {
  auto endpoint = parse_otlp_endpoint(options.otlp_endpoint);
  if (!endpoint.ok()) return endpoint.error();
  if (!(options.sampling_ratio >= 0.0 && options.sampling_ratio <= 1.0)) {
    return invalid("--trace-sampling-ratio", "must be between 0 and 1");
  }
  if (options.service_name.empty()) return invalid("--trace-service-name", "must not be empty");
  if (options.batch_size == 0) return invalid("--trace-batch-size", "must be at least 1");
  if (options.queue_size == 0) return invalid("--trace-queue-size", "must be at least 1");
  if (options.batch_interval.count() <= 0) {
    return invalid("--trace-batch-interval", "must be positive");
  }
  if (options.export_timeout.count() <= 0) {
    return invalid("--trace-export-timeout", "must be positive");
  }
  ExporterOptions exporter;
  exporter.resource.service_name = options.service_name;
  exporter.resource.service_instance_id =
      options.service_instance_id.empty() ? host_name() : options.service_instance_id;
  exporter.batch_size = options.batch_size;
  exporter.interval = options.batch_interval;
  exporter.queue_size = options.queue_size;
  auto send = [ep = std::move(*endpoint), timeout = options.export_timeout](
                  const std::string& body) { return post_otlp_json(ep, body, timeout); };
  return std::make_unique<Tracer>(options.sampling_ratio,
                                  std::make_unique<Exporter>(std::move(exporter), std::move(send)));
}

Tracer::Tracer(double sampling_ratio, std::unique_ptr<Exporter> exporter)
    : sampler_(sampling_ratio), exporter_(std::move(exporter)) {}

std::string render_trace_metrics(const ExportCounters& c) {
  std::string out =
      "# HELP archway_trace_spans_exported_total Spans the OTLP collector accepted.\n"
      "# TYPE archway_trace_spans_exported_total counter\n"
      "archway_trace_spans_exported_total " +
      std::to_string(c.exported) + "\n";
  out += metrics::render_labelled_counter(
      "archway_trace_spans_dropped_total",
      "Spans not exported: the queue was full, or their batch failed to send.", "reason",
      {{"queue_full", c.dropped_queue_full}, {"export_failed", c.dropped_export_failed}});
  out +=
      "# HELP archway_trace_export_failures_total Batches of spans the OTLP collector did not "
      "accept (unreachable, timeout, non-2xx).\n"
      "# TYPE archway_trace_export_failures_total counter\n"
      "archway_trace_export_failures_total " +
      std::to_string(c.failures) + "\n";
  return out;
}

}  // namespace archway::tracing

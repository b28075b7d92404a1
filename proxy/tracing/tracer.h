#pragma once
// The process's tracer: the sampler and the exporter, built once from the
// flags (docs/observability.md "Tracing") and shared by every worker. It
// exists only when --otlp-endpoint is set; with tracing off the workers
// hold a null Tracer* and the request path does what it did before.
//
// Thread: everything is const or thread-safe (the exporter's queue). Owned
// by the server's options; outlives the workers.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/result.h"
#include "proxy/tracing/exporter.h"
#include "proxy/tracing/sampler.h"

namespace archway::tracing {

struct TracerOptions {
  std::string otlp_endpoint;                       // --otlp-endpoint: http://host:port/v1/traces
  double sampling_ratio = 0.01;                    // --trace-sampling-ratio
  std::string service_name = "archway";            // --trace-service-name
  std::string service_instance_id;                 // default: the host (pod) name
  size_t batch_size = 512;                         // --trace-batch-size
  std::chrono::milliseconds batch_interval{2000};  // --trace-batch-interval
  size_t queue_size = 4096;                        // --trace-queue-size
  std::chrono::milliseconds export_timeout{5000};  // --trace-export-timeout
};

class Tracer {
 public:
  // Checks the options (the endpoint's URL) and starts the exporter thread
  // with the OTLP/HTTP sender.
  [[nodiscard]] static Result<std::unique_ptr<Tracer>> create(TracerOptions options);
  // With a sender of one's own (tests).
  Tracer(double sampling_ratio, std::unique_ptr<Exporter> exporter);

  [[nodiscard]] const Sampler& sampler() const { return sampler_; }
  // Any thread; false when the span was dropped (queue full).
  bool submit(SpanRecord&& span) { return exporter_->submit(std::move(span)); }
  [[nodiscard]] ExportCounters counters() const { return exporter_->counters(); }

 private:
  Sampler sampler_;
  std::unique_ptr<Exporter> exporter_;
};

// archway_trace_spans_exported_total, archway_trace_spans_dropped_total
// {reason="queue_full"|"export_failed"} and
// archway_trace_export_failures_total, in Prometheus text.
[[nodiscard]] std::string render_trace_metrics(const ExportCounters& counters);

}  // namespace archway::tracing

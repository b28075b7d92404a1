#include "proxy/tracing/exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "proxy/tracing/otlp_json.h"

namespace archway::tracing {

Exporter::Exporter(ExporterOptions options, SendBatch send)
    : options_(std::move(options)),
      send_(std::move(send)),
      queue_(options_.queue_size, std::max<size_t>(options_.batch_size, 1)),
      thread_([this] { run(); }) {}

Exporter::~Exporter() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

ExportCounters Exporter::counters() const {
  ExportCounters c;
  c.exported = exported_.load(std::memory_order_relaxed);
  c.dropped_queue_full = queue_.dropped();
  c.dropped_export_failed = dropped_failed_.load(std::memory_order_relaxed);
  c.failures = failures_.load(std::memory_order_relaxed);
  return c;
}

void Exporter::run() {
  std::vector<SpanRecord> taken;
  const size_t batch = std::max<size_t>(options_.batch_size, 1);
  // After close() the queue still hands over what it holds, once.
  while (queue_.wait_and_take(taken, options_.interval)) {
    for (size_t at = 0; at < taken.size(); at += batch) {
      send(std::span<const SpanRecord>(taken).subspan(at, std::min(batch, taken.size() - at)));
    }
  }
}

void Exporter::send(std::span<const SpanRecord> batch) {
  const auto sent = send_(encode_otlp_json(options_.resource, batch));
  if (sent.ok()) {
    exported_.fetch_add(batch.size(), std::memory_order_relaxed);
    return;
  }
  // Dropped before the failure is counted: a reader that sees the failure
  // sees its spans too. The first failure is a warning, later ones debug:
  // a dead collector must not flood the log (the metrics count every one).
  dropped_failed_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (failures_.fetch_add(1, std::memory_order_relaxed) == 0) {
    spdlog::warn("trace export failed (later failures at debug level): {}",
                 sent.error().to_string());
  } else {
    spdlog::debug("trace export failed: {}", sent.error().to_string());
  }
}

}  // namespace archway::tracing

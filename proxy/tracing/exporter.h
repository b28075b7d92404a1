#pragma once
// The exporter thread: takes the spans the workers queued (span_queue.h),
// encodes them in batches of at most batch_size (otlp_json.h) and sends
// each batch (otlp_http.h in the proxy; a fake in tests), every `interval`
// or as soon as a full batch waits. A batch that fails (connection refused,
// timeout, non-2xx) is not sent again: its spans are dropped and counted,
// so a dead collector costs one bounded attempt per batch and never
// memory. On destruction the queue is closed and what it holds is sent
// once more (bounded by the send's own timeout).
//
// Thread: submit() and counters() from any thread; the send runs on the
// exporter's own thread only.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <thread>

#include "common/result.h"
#include "proxy/tracing/span.h"
#include "proxy/tracing/span_queue.h"

namespace archway::tracing {

struct ExporterOptions {
  Resource resource;
  size_t batch_size = 512;                   // spans per POST (--trace-batch-size)
  std::chrono::milliseconds interval{2000};  // the longest a span waits (--trace-batch-interval)
  size_t queue_size = 4096;                  // spans waiting; more are dropped (--trace-queue-size)
};

// Sends one encoded batch (a JSON body); blocking, bounded by its own timeout.
using SendBatch = std::function<Result<void>(const std::string& body)>;

struct ExportCounters {
  uint64_t exported = 0;  // spans the collector accepted
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_export_failed = 0;  // spans of batches that failed
  uint64_t failures = 0;               // batches that failed
};

class Exporter {
 public:
  // Starts the thread.
  Exporter(ExporterOptions options, SendBatch send);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  // Any thread; never blocks on I/O. False: dropped (queue full).
  bool submit(SpanRecord&& span) { return queue_.push(std::move(span)); }

  [[nodiscard]] ExportCounters counters() const;

 private:
  void run();
  void send(std::span<const SpanRecord> batch);

  const ExporterOptions options_;
  const SendBatch send_;
  SpanQueue queue_;
  std::atomic<uint64_t> exported_{0};
  std::atomic<uint64_t> dropped_failed_{0};
  std::atomic<uint64_t> failures_{0};
  std::thread thread_;  // last: started once everything it uses exists
};

}  // namespace archway::tracing

#pragma once
// The hand-off between the workers (producers) and the exporter thread (the
// one consumer): a bounded vector behind a mutex, swapped out whole by the
// consumer. A worker holds the lock for one push_back of a moved span (no
// allocation once the vector has grown to its capacity, which it keeps, and
// no I/O); spans exist only for sampled requests (1 % by default), so the
// lock is taken on few requests and is almost never contended. A per-worker
// buffer would avoid even that, but then the exporter must visit every
// worker (a post to each loop) to flush, and a quiet worker would hold its
// spans back; at the default ratio the mutex is not worth that machinery.
//
// Full (capacity spans waiting): the span is dropped and counted, never
// waited for. Thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "proxy/tracing/span.h"

namespace archway::tracing {

class SpanQueue {
 public:
  // `wake_at`: a push that brings the queue to this size wakes the consumer
  // (a full batch), so a busy proxy does not wait for the interval.
  SpanQueue(size_t capacity, size_t wake_at);

  // Any thread. False when the queue is full or closed (the span is dropped
  // and counted in dropped()).
  bool push(SpanRecord&& span);

  // The consumer: waits until wake_at spans are queued, `timeout` passed or
  // close() was called, then swaps every queued span into `out` (cleared
  // first). Returns false once closed and empty.
  bool wait_and_take(std::vector<SpanRecord>& out, std::chrono::milliseconds timeout);

  // Wakes the consumer; later pushes are dropped.
  void close();

  [[nodiscard]] uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const size_t capacity_;
  const size_t wake_at_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SpanRecord> spans_;  // guarded by mu_
  bool closed_ = false;            // guarded by mu_
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace archway::tracing

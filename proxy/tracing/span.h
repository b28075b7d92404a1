#pragma once
// One finished span, as the exporter sends it: plain values, owned, so it
// can cross from a worker to the exporter thread. Built only for sampled
// requests (request_trace.h).

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "proxy/tracing/trace_context.h"

namespace archway::tracing {

// OTLP's SpanKind and Status.StatusCode values (opentelemetry-proto
// trace.proto): OTLP JSON writes enums as these integers.
enum class SpanKind : int { kServer = 2, kClient = 3 };
enum class SpanStatus : int { kUnset = 0, kOk = 1, kError = 2 };

struct Attribute {
  std::string key;
  std::variant<std::string, int64_t> value;
};

struct SpanRecord {
  TraceId trace;
  SpanId id = 0;
  SpanId parent = 0;  // 0: a root span
  std::string name;
  SpanKind kind = SpanKind::kServer;
  uint64_t start_unix_nanos = 0;
  uint64_t end_unix_nanos = 0;
  SpanStatus status = SpanStatus::kUnset;
  std::vector<Attribute> attributes;

  void add(std::string key, std::string value) {
    attributes.push_back({std::move(key), std::move(value)});
  }
  void add(std::string key, int64_t value) { attributes.push_back({std::move(key), value}); }
};

// What every span of this process shares (OTLP's Resource).
struct Resource {
  std::string service_name;         // service.name
  std::string service_instance_id;  // service.instance.id: the host (pod) name
};

}  // namespace archway::tracing

#pragma once
// OTLP/HTTP's JSON encoding of a batch of spans: one ExportTraceServiceRequest
// (opentelemetry-proto, "JSON Protobuf Encoding" of the OTLP specification):
// ids as lowercase hex, enums as integers, times and 64-bit integers as
// decimal strings. Pure; tested on fixed spans.

#include <span>
#include <string>

#include "proxy/tracing/span.h"

namespace archway::tracing {

inline constexpr const char* kScopeName = "archway";

[[nodiscard]] std::string encode_otlp_json(const Resource& resource,
                                           std::span<const SpanRecord> spans);

}  // namespace archway::tracing

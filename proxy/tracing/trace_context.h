#pragma once
// W3C Trace Context ids and the `traceparent` field
// (https://www.w3.org/TR/trace-context/ §3.2): parse, format, and new
// random ids. Pure: the randomness is the caller's generator.

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace archway::tracing {

// 16 bytes, as two big-endian halves: `hi` is bytes 0..7, `lo` bytes 8..15
// (the half TraceIdRatioBased samples on). All-zero is invalid.
struct TraceId {
  uint64_t hi = 0;
  uint64_t lo = 0;
  [[nodiscard]] bool valid() const { return hi != 0 || lo != 0; }
  friend bool operator==(const TraceId&, const TraceId&) = default;
};

// 8 bytes; 0 is invalid (and means "no parent" in a span record).
using SpanId = uint64_t;

inline constexpr uint8_t kFlagSampled = 0x01;

struct TraceParent {
  TraceId trace;
  SpanId parent = 0;
  uint8_t flags = 0;
  [[nodiscard]] bool sampled() const { return (flags & kFlagSampled) != 0; }
};

// The value of one `traceparent` field; nullopt when it is invalid
// (lowercase hex only, all-zero ids and version ff refused; a version other
// than 00 may carry more fields after a '-', which are ignored).
[[nodiscard]] std::optional<TraceParent> parse_traceparent(std::string_view value);

// "00-<trace>-<parent>-<flags>": version 00, what a participant forwards
// whatever version it received (§3.2.2.4).
inline constexpr size_t kTraceParentSize = 55;
[[nodiscard]] std::array<char, kTraceParentSize> format_traceparent(const TraceId& trace,
                                                                    SpanId parent, uint8_t flags);

// Lowercase hex: 32 and 16 digits (OTLP JSON writes ids so).
[[nodiscard]] std::string to_hex(const TraceId& id);
[[nodiscard]] std::string to_hex(SpanId id);

// Random, never zero.
[[nodiscard]] TraceId new_trace_id(std::mt19937_64& rng);
[[nodiscard]] SpanId new_span_id(std::mt19937_64& rng);

}  // namespace archway::tracing

#include "proxy/tracing/trace_context.h"

#include <algorithm>

namespace archway::tracing {
namespace {

constexpr char kHex[] = "0123456789abcdef";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// `s` holds exactly 2 * sizeof(v) lowercase hex digits.
std::optional<uint64_t> parse_hex(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

void put_hex(char* out, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = kHex[v & 0xf];
    v >>= 4;
  }
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view v) {
  if (v.size() < kTraceParentSize || v[2] != '-' || v[35] != '-' || v[52] != '-') {
    return std::nullopt;
  }
  if (v.size() > kTraceParentSize && v[55] != '-') return std::nullopt;
  const auto version = parse_hex(v.substr(0, 2));
  const auto hi = parse_hex(v.substr(3, 16));
  const auto lo = parse_hex(v.substr(19, 16));
  const auto parent = parse_hex(v.substr(36, 16));
  const auto flags = parse_hex(v.substr(53, 2));
  if (!version || !hi || !lo || !parent || !flags) return std::nullopt;
  if (*version == 0xff || (*version == 0 && v.size() != kTraceParentSize)) return std::nullopt;
  TraceParent tp{TraceId{*hi, *lo}, *parent, static_cast<uint8_t>(*flags)};
  if (!tp.trace.valid() || tp.parent == 0) return std::nullopt;
  return tp;
}

std::array<char, kTraceParentSize> format_traceparent(const TraceId& trace, SpanId parent,
                                                      uint8_t flags) {
  std::array<char, kTraceParentSize> out{};
  char* p = out.data();
  p[0] = '0';
  p[1] = '0';
  p[2] = '-';
  put_hex(p + 3, trace.hi, 16);
  put_hex(p + 19, trace.lo, 16);
  p[35] = '-';
  put_hex(p + 36, parent, 16);
  p[52] = '-';
  put_hex(p + 53, flags, 2);
  return out;
}

std::string to_hex(const TraceId& id) {
  std::string s(32, '0');
  put_hex(s.data(), id.hi, 16);
  put_hex(s.data() + 16, id.lo, 16);
  return s;
}

std::string to_hex(SpanId id) {
  std::string s(16, '0');
  put_hex(s.data(), id, 16);
  return s;
}

TraceId new_trace_id(std::mt19937_64& rng) {
  TraceId id{rng(), rng()};
  if (!id.valid()) id.lo = 1;
  return id;
}

SpanId new_span_id(std::mt19937_64& rng) {
  const SpanId id = rng();
  return id != 0 ? id : 1;
}

}  // namespace archway::tracing

#include "proxy/tracing/otlp_json.h"

#include <cstdio>

namespace archway::tracing {
namespace {

// Written straight into one string rather than through a JSON document:
// the exporter encodes every sampled span, and a DOM of small objects per
// attribute cost more than the rest of tracing together (docs/benchmarks.md).

// The length of the valid UTF-8 sequence at s[i], or 0 (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
    if (c == 0xF4 && b(1) > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

// A JSON string: quotes, backslashes and control characters escaped,
// invalid UTF-8 replaced by U+FFFD (a header value may hold any byte).
void put_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (const size_t n = utf8_length(s, i); n != 0) {
      out.append(s, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out += '"';
}

void put_key(std::string& out, std::string_view key) {
  put_string(out, key);
  out += ':';
}

void put_attribute(std::string& out, const Attribute& a) {
  out += "{\"key\":";
  put_string(out, a.key);
  out += ",\"value\":{";
  if (const auto* s = std::get_if<std::string>(&a.value)) {
    put_key(out, "stringValue");
    put_string(out, *s);
  } else {
    // OTLP JSON writes 64-bit integers as decimal strings.
    out += "\"intValue\":\"" + std::to_string(std::get<int64_t>(a.value)) + "\"";
  }
  out += "}}";
}

void put_span(std::string& out, const SpanRecord& s) {
  out += "{\"traceId\":\"" + to_hex(s.trace) + "\",\"spanId\":\"" + to_hex(s.id) + "\"";
  if (s.parent != 0) out += ",\"parentSpanId\":\"" + to_hex(s.parent) + "\"";
  out += ",\"name\":";
  put_string(out, s.name);
  out += ",\"kind\":" + std::to_string(static_cast<int>(s.kind));
  out += ",\"startTimeUnixNano\":\"" + std::to_string(s.start_unix_nanos) + "\"";
  out += ",\"endTimeUnixNano\":\"" + std::to_string(s.end_unix_nanos) + "\"";
  out += ",\"attributes\":[";
  for (size_t i = 0; i < s.attributes.size(); ++i) {
    if (i != 0) out += ',';
    put_attribute(out, s.attributes[i]);
  }
  out += "],\"status\":{\"code\":" + std::to_string(static_cast<int>(s.status)) + "}}";
}

}  // namespace

std::string encode_otlp_json(const Resource& resource, std::span<const SpanRecord> spans) {
  std::string out;
  out.reserve(256 + spans.size() * 1024);
  out += "{\"resourceSpans\":[{\"resource\":{\"attributes\":[";
  put_attribute(out, {"service.name", resource.service_name});
  if (!resource.service_instance_id.empty()) {
    out += ',';
    put_attribute(out, {"service.instance.id", resource.service_instance_id});
  }
  out += "]},\"scopeSpans\":[{\"scope\":{\"name\":";
  put_string(out, kScopeName);
  out += "},\"spans\":[";
  for (size_t i = 0; i < spans.size(); ++i) {
    if (i != 0) out += ',';
    put_span(out, spans[i]);
  }
  out += "]}]}]}";
  return out;
}

}  // namespace archway::tracing

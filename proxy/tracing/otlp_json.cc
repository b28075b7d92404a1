#include "proxy/tracing/otlp_json.h"

#include <nlohmann/json.hpp>

namespace archway::tracing {
namespace {

using nlohmann::json;

json any_value(const std::variant<std::string, int64_t>& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return {{"stringValue", *s}};
  return {{"intValue", std::to_string(std::get<int64_t>(v))}};
}

json attributes(const std::vector<Attribute>& attrs) {
  json out = json::array();
  for (const auto& a : attrs) out.push_back({{"key", a.key}, {"value", any_value(a.value)}});
  return out;
}

json span_json(const SpanRecord& s) {
  json j = {
      {"traceId", to_hex(s.trace)},
      {"spanId", to_hex(s.id)},
      {"name", s.name},
      {"kind", static_cast<int>(s.kind)},
      {"startTimeUnixNano", std::to_string(s.start_unix_nanos)},
      {"endTimeUnixNano", std::to_string(s.end_unix_nanos)},
      {"attributes", attributes(s.attributes)},
      {"status", {{"code", static_cast<int>(s.status)}}},
  };
  if (s.parent != 0) j["parentSpanId"] = to_hex(s.parent);
  return j;
}

}  // namespace

std::string encode_otlp_json(const Resource& resource, std::span<const SpanRecord> spans) {
  json resource_attrs = json::array();
  resource_attrs.push_back(
      {{"key", "service.name"}, {"value", {{"stringValue", resource.service_name}}}});
  if (!resource.service_instance_id.empty()) {
    resource_attrs.push_back({{"key", "service.instance.id"},
                              {"value", {{"stringValue", resource.service_instance_id}}}});
  }
  json span_list = json::array();
  for (const auto& s : spans) span_list.push_back(span_json(s));
  const json request = {
      {"resourceSpans",
       json::array({{{"resource", {{"attributes", resource_attrs}}},
                     {"scopeSpans", json::array({{{"scope", {{"name", kScopeName}}},
                                                  {"spans", std::move(span_list)}}})}}})}};
  // Replace: a header value that is not UTF-8 must not make dump() throw.
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace archway::tracing

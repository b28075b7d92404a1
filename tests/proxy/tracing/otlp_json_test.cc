#include "proxy/tracing/otlp_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace archway::tracing {
namespace {

using nlohmann::json;

SpanRecord client_span() {
  SpanRecord s;
  s.trace = TraceId{0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL};
  s.id = 0xaabbccddeeff0011ULL;
  s.parent = 0x1122334455667788ULL;
  s.name = "GET";
  s.kind = SpanKind::kClient;
  s.start_unix_nanos = 1700000000123456789ULL;
  s.end_unix_nanos = 1700000000223456789ULL;
  s.status = SpanStatus::kError;
  s.add("server.address", "10.0.0.7");
  s.add("server.port", int64_t{8080});
  return s;
}

TEST(OtlpJson, OneSpanAsTheSpecificationWritesIt) {
  const Resource resource{"archway", "proxy-0"};
  SpanRecord root = client_span();
  root.parent = 0;
  root.kind = SpanKind::kServer;
  root.status = SpanStatus::kUnset;
  const SpanRecord spans[] = {client_span(), root};
  const json j = json::parse(encode_otlp_json(resource, spans));

  const json& rs = j.at("resourceSpans").at(0);
  const json expected_resource = json::parse(R"([
      {"key": "service.name", "value": {"stringValue": "archway"}},
      {"key": "service.instance.id", "value": {"stringValue": "proxy-0"}}])");
  EXPECT_EQ(rs.at("resource").at("attributes"), expected_resource);
  const json& scope = rs.at("scopeSpans").at(0);
  EXPECT_EQ(scope.at("scope").at("name"), "archway");
  ASSERT_EQ(scope.at("spans").size(), 2u);

  const json expected_client = json::parse(R"({
      "traceId": "0102030405060708090a0b0c0d0e0f10",
      "spanId": "aabbccddeeff0011",
      "parentSpanId": "1122334455667788",
      "name": "GET",
      "kind": 3,
      "startTimeUnixNano": "1700000000123456789",
      "endTimeUnixNano": "1700000000223456789",
      "attributes": [
        {"key": "server.address", "value": {"stringValue": "10.0.0.7"}},
        {"key": "server.port", "value": {"intValue": "8080"}}],
      "status": {"code": 2}})");
  EXPECT_EQ(scope.at("spans").at(0), expected_client);

  const json& server = scope.at("spans").at(1);
  EXPECT_FALSE(server.contains("parentSpanId")) << "a root span has no parent";
  EXPECT_EQ(server.at("kind"), 2);
  EXPECT_EQ(server.at("status").at("code"), 0);
}

TEST(OtlpJson, NoInstanceIdAndInvalidUtf8) {
  SpanRecord s = client_span();
  s.add("url.path", std::string("/a\xff"));
  const SpanRecord spans[] = {s};
  const json j = json::parse(encode_otlp_json(Resource{"svc", ""}, spans));
  EXPECT_EQ(j["resourceSpans"][0]["resource"]["attributes"].size(), 1u);
  EXPECT_EQ(
      j["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"][2]["value"]["stringValue"],
      "/a\xEF\xBF\xBD");
}

}  // namespace
}  // namespace archway::tracing

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

// Any bytes a request carries come out as a JSON string a strict parser
// reads back: escapes for quotes, backslashes and controls, valid UTF-8
// kept, each byte of an invalid sequence (overlong, surrogate, truncated,
// above U+10FFFF) replaced by U+FFFD.
TEST(OtlpJson, StringsEscapedAndUtf8Checked) {
  const std::string r = "\xEF\xBF\xBD";
  const struct {
    std::string in, out;
  } cases[] = {
      {"plain /path?q=1", "plain /path?q=1"},
      {"a\"b\\c\n\t\x01\x1f", "a\"b\\c\n\t\x01\x1f"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"\xC3\x28", r + "("},                       // a lead byte without its continuation
      {"\xC0\xAF", r + r},                         // overlong '/'
      {"\xED\xA0\x80", r + r + r},                // a UTF-16 surrogate
      {"\xF4\x90\x80\x80", r + r + r + r},       // above U+10FFFF
      {"end\xE2\x82", "end" + r + r},              // truncated at the end
  };
  for (const auto& c : cases) {
    SpanRecord s = client_span();
    s.name = c.in;
    const SpanRecord spans[] = {s};
    const json j = json::parse(encode_otlp_json(Resource{"svc", "host"}, spans));
    EXPECT_EQ(j["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"], c.out) << c.in;
  }
}

}  // namespace
}  // namespace archway::tracing

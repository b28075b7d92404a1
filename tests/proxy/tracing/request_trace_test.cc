#include "proxy/tracing/request_trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>

#include "proxy/tracing/tracer.h"

namespace archway::tracing {
namespace {

using nlohmann::json;

constexpr const char* kIncoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// A tracer whose exporter hands every span to `spans` at shutdown.
struct Recorder {
  std::mutex mu;
  std::vector<json> spans;
  std::unique_ptr<Tracer> tracer(double ratio) {
    ExporterOptions options;
    options.batch_size = 1000;
    options.interval = std::chrono::hours(1);
    return std::make_unique<Tracer>(
        ratio, std::make_unique<Exporter>(options, [this](const std::string& body) {
          const json request = json::parse(body);  // outlives the loop's range
          std::lock_guard lock(mu);
          for (const auto& s : request["resourceSpans"][0]["scopeSpans"][0]["spans"]) {
            spans.push_back(s);
          }
          return Result<void>();
        }));
  }
};

std::map<std::string, json> attrs(const json& span) {
  std::map<std::string, json> out;
  for (const auto& a : span["attributes"]) {
    const auto& v = a["value"];
    out[a["key"]] = v.contains("stringValue") ? v["stringValue"] : v["intValue"];
  }
  return out;
}

http::Request request(std::string_view traceparent) {
  http::Request r;
  r.method = "GET";
  r.scheme = "http";
  r.authority = "api.example.com:8080";
  r.target = "/v1/orders?id=1";
  r.client_ip = "192.0.2.1";
  r.version = 20;
  if (!traceparent.empty()) r.headers.add("traceparent", traceparent);
  r.headers.add("tracestate", "vendor=1");
  return r;
}

std::string header(const http::Headers& headers, std::string_view name) {
  const auto* h = http::find_header(headers, name);
  return h ? h->value : "";
}

const boost::asio::ip::tcp::endpoint kEndpoint{boost::asio::ip::make_address("10.0.0.7"), 9000};

TEST(RequestTrace, SampledRequestWithARetry) {
  Recorder rec;
  std::mt19937_64 rng(1);
  std::string sent_first, sent_second;
  {
    auto tracer = rec.tracer(0.0);  // the parent's flag decides
    http::Request r = request(kIncoming);
    RequestTrace t;
    t.start(tracer.get(), r, rng);
    ASSERT_TRUE(t.sampled());
    t.begin_attempt("shop/orders:8080", kEndpoint, 1, "GET", r.headers, rng);
    sent_first = header(r.headers, "traceparent");
    t.attempt_failed("connect-failure");
    t.begin_attempt("shop/orders:8080", kEndpoint, 2, "GET", r.headers, rng);
    sent_second = header(r.headers, "traceparent");
    t.attempt_status(200);
    t.finish(200, "shop/orders", "read");
    EXPECT_EQ(header(r.headers, "tracestate"), "vendor=1");
  }
  ASSERT_EQ(rec.spans.size(), 3u);
  const json& first = rec.spans[0];
  const json& second = rec.spans[1];
  const json& server = rec.spans[2];
  for (const auto& s : rec.spans) EXPECT_EQ(s["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(server["parentSpanId"], "00f067aa0ba902b7");
  EXPECT_EQ(server["name"], "GET shop/orders");
  EXPECT_EQ(server["kind"], 2);
  EXPECT_EQ(first["parentSpanId"], server["spanId"]);
  EXPECT_EQ(second["parentSpanId"], server["spanId"]);
  EXPECT_EQ(first["kind"], 3);
  // Each attempt's request names that attempt's span as parent.
  EXPECT_EQ(sent_first,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-" + first["spanId"].get<std::string>() + "-01");
  EXPECT_EQ(sent_second,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-" + second["spanId"].get<std::string>() + "-01");

  const auto sa = attrs(server);
  EXPECT_EQ(sa.at("http.request.method"), "GET");
  EXPECT_EQ(sa.at("url.path"), "/v1/orders");
  EXPECT_EQ(sa.at("url.scheme"), "http");
  EXPECT_EQ(sa.at("server.address"), "api.example.com");
  EXPECT_EQ(sa.at("server.port"), "8080");
  EXPECT_EQ(sa.at("client.address"), "192.0.2.1");
  EXPECT_EQ(sa.at("network.protocol.version"), "2");
  EXPECT_EQ(sa.at("http.response.status_code"), "200");
  EXPECT_EQ(sa.at("archway.route"), "shop/orders");
  EXPECT_EQ(sa.at("archway.rule"), "read");
  EXPECT_EQ(server["status"]["code"], 0);

  const auto fa = attrs(first);
  EXPECT_EQ(fa.at("server.address"), "10.0.0.7");
  EXPECT_EQ(fa.at("server.port"), "9000");
  EXPECT_EQ(fa.at("archway.cluster"), "shop/orders:8080");
  EXPECT_EQ(fa.at("error.type"), "connect-failure");
  EXPECT_EQ(fa.count("http.request.resend_count"), 0u);
  EXPECT_EQ(first["status"]["code"], 2);
  const auto sa2 = attrs(second);
  EXPECT_EQ(sa2.at("http.request.resend_count"), "1");
  EXPECT_EQ(sa2.at("http.response.status_code"), "200");
  EXPECT_EQ(second["status"]["code"], 0);
}

TEST(RequestTrace, DecisionTable) {
  struct Case {
    const char* name;
    const char* traceparent;  // "" none
    double ratio;
    bool sampled;
    // What the backend gets: "same" (as it came), "rewritten" (ours,
    // sampled), or "new-00": the request keeps no valid traceparent and
    // the exchange's forwarding headers write a new one with flags 00
    // (request_rewrite_test.cc, ForwardingHeadersWriteTheTracersFlags).
    const char* forwarded;
  };
  const Case cases[] = {
      {"sampled parent, ratio 0", kIncoming, 0.0, true, "rewritten"},
      {"unsampled parent, ratio 1", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", 1.0,
       false, "same"},
      {"no parent, ratio 0", "", 0.0, false, "new-00"},
      {"no parent, ratio 1", "", 1.0, true, "rewritten"},
      {"invalid parent, ratio 0", "00-zz", 0.0, false, "new-00"},
  };
  for (const auto& c : cases) {
    Recorder rec;
    std::mt19937_64 rng(3);
    std::string forwarded;
    {
      auto tracer = rec.tracer(c.ratio);
      http::Request r = request(c.traceparent);
      RequestTrace t;
      t.start(tracer.get(), r, rng);
      EXPECT_EQ(t.sampled(), c.sampled) << c.name;
      t.begin_attempt("c", kEndpoint, 1, "GET", r.headers, rng);
      t.attempt_status(503);
      t.finish(503, "", "");
      size_t fields = 0;
      for (const auto& h : r.headers) fields += h.name == "traceparent" ? 1 : 0;
      EXPECT_EQ(fields, *c.traceparent != '\0' || c.sampled ? 1u : 0u) << c.name;
      forwarded = header(r.headers, "traceparent");
      EXPECT_EQ(t.new_trace_flags(), c.sampled ? kFlagSampled : 0) << c.name;
    }
    EXPECT_EQ(rec.spans.size(), c.sampled ? 2u : 0u) << c.name;
    if (std::string_view(c.forwarded) == "new-00") {
      EXPECT_FALSE(parse_traceparent(forwarded)) << c.name << ": none valid, the exchange adds one";
      continue;
    }
    const auto parsed = parse_traceparent(forwarded);
    ASSERT_TRUE(parsed) << c.name << ": " << forwarded;
    const std::string how = c.forwarded;
    if (how == "same") {
      EXPECT_EQ(forwarded, c.traceparent) << c.name;
    }
    if (how == "rewritten") {
      EXPECT_TRUE(parsed->sampled()) << c.name;
      EXPECT_EQ(to_hex(parsed->parent), rec.spans[0]["spanId"]) << c.name;
      EXPECT_EQ(rec.spans[1]["name"], "GET") << c.name;
      EXPECT_EQ(rec.spans[1]["status"]["code"], 2) << c.name << ": 5xx is a server error";
      EXPECT_EQ(attrs(rec.spans[0]).at("error.type"), "503") << c.name;
    }
  }
}

TEST(RequestTrace, LocalAnswerHasOnlyTheServerSpan) {
  Recorder rec;
  std::mt19937_64 rng(5);
  {
    auto tracer = rec.tracer(1.0);
    http::Request r = request("");
    r.method = "BREW";
    RequestTrace t;
    t.start(tracer.get(), r, rng);
    t.finish(404, "", "");
  }
  ASSERT_EQ(rec.spans.size(), 1u);
  EXPECT_EQ(rec.spans[0]["name"], "HTTP");
  EXPECT_FALSE(rec.spans[0].contains("parentSpanId"));
  const auto a = attrs(rec.spans[0]);
  EXPECT_EQ(a.at("http.request.method"), "_OTHER");
  EXPECT_EQ(a.at("http.request.method_original"), "BREW");
  EXPECT_EQ(a.at("http.response.status_code"), "404");
  EXPECT_EQ(rec.spans[0]["status"]["code"], 0) << "4xx is not a server span error";
}

TEST(RequestTrace, OffDoesNothing) {
  std::mt19937_64 rng(5);
  http::Request r = request("");
  RequestTrace t;
  t.start(nullptr, r, rng);
  t.begin_attempt("c", kEndpoint, 1, "GET", r.headers, rng);
  t.finish(200, "", "");
  EXPECT_FALSE(t.sampled());
  EXPECT_EQ(http::find_header(r.headers, "traceparent"), nullptr);
  EXPECT_EQ(t.new_trace_flags(), kFlagSampled) << "as before tracing: the backend may record it";
}

TEST(RequestTrace, SpanNames) {
  EXPECT_EQ(server_span_name("GET", "shop/orders"), "GET shop/orders");
  EXPECT_EQ(server_span_name("POST", ""), "POST");
  EXPECT_EQ(server_span_name("BREW", "r"), "HTTP r");
}

}  // namespace
}  // namespace archway::tracing

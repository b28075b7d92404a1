#include "proxy/tracing/exporter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "proxy/tracing/span_queue.h"
#include "proxy/tracing/tracer.h"

namespace archway::tracing {
namespace {

SpanRecord span(SpanId id) {
  SpanRecord s;
  s.trace = TraceId{1, 2};
  s.id = id;
  s.name = "GET";
  return s;
}

TEST(SpanQueue, DropsAndCountsWhenFull) {
  SpanQueue q(2, 2);
  EXPECT_TRUE(q.push(span(1)));
  EXPECT_TRUE(q.push(span(2)));
  EXPECT_FALSE(q.push(span(3)));
  EXPECT_EQ(q.dropped(), 1u);
  std::vector<SpanRecord> out;
  ASSERT_TRUE(q.wait_and_take(out, std::chrono::milliseconds(0)));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_TRUE(q.push(span(4)));  // room again after the swap
  q.close();
  EXPECT_FALSE(q.push(span(5)));
  ASSERT_TRUE(q.wait_and_take(out, std::chrono::milliseconds(0)));  // what was left
  EXPECT_EQ(out.size(), 1u);
  EXPECT_FALSE(q.wait_and_take(out, std::chrono::milliseconds(0)));
  EXPECT_EQ(q.dropped(), 2u);
}

// The sender's view: the span count of each batch it was given.
struct FakeSender {
  std::mutex mu;
  std::vector<size_t> batches;
  bool fail = false;
  SendBatch fn() {
    return [this](const std::string& body) -> Result<void> {
      const auto j = nlohmann::json::parse(body);
      std::lock_guard lock(mu);
      batches.push_back(j["resourceSpans"][0]["scopeSpans"][0]["spans"].size());
      if (fail) return Error{Error::Code::kUnavailable, "otlp", "refused"};
      return Result<void>();
    };
  }
};

// Below a full batch nothing wakes the exporter before its (long)
// interval: what was submitted goes at shutdown, in batches of batch_size.
TEST(Exporter, ShutdownFlushTable) {
  struct Case {
    const char* name;
    size_t spans;
    bool fail;
    std::vector<size_t> batches;
  };
  const Case cases[] = {
      {"nothing", 0, false, {}},
      {"one batch", 3, false, {3}},
      {"a failing collector still gets one try", 4, true, {4}},
  };
  for (const auto& c : cases) {
    FakeSender sender;
    sender.fail = c.fail;
    {
      ExporterOptions options;
      options.resource = Resource{"archway", "test"};
      options.batch_size = 10;
      options.queue_size = 100;
      options.interval = std::chrono::hours(1);
      Exporter exporter(options, sender.fn());
      for (size_t i = 0; i < c.spans; ++i) EXPECT_TRUE(exporter.submit(span(i + 1)));
    }
    EXPECT_EQ(sender.batches, c.batches) << c.name;
  }
}

// A slow collector: spans pile up behind the batch in flight, then leave
// in batches of batch_size; past the queue's size they are dropped.
TEST(Exporter, SplitsAndDropsBehindASlowSend) {
  std::mutex gate;
  std::vector<size_t> batches;
  std::unique_lock held(gate);
  ExporterOptions options;
  options.batch_size = 2;
  options.queue_size = 5;
  options.interval = std::chrono::hours(1);
  std::optional<Exporter> exporter;
  exporter.emplace(options, [&](const std::string& body) -> Result<void> {
    std::lock_guard lock(gate);
    batches.push_back(
        nlohmann::json::parse(body)["resourceSpans"][0]["scopeSpans"][0]["spans"].size());
    return Result<void>();
  });
  exporter->submit(span(1));
  exporter->submit(span(2));  // a full batch: taken, its send waits on the gate
  // The exporter takes them (the queue is empty again) and blocks.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (SpanId i = 3; i <= 10; ++i) exporter->submit(span(i));  // 5 fit, 3 dropped
  EXPECT_EQ(exporter->counters().dropped_queue_full, 3u);
  held.unlock();
  exporter.reset();
  EXPECT_EQ(batches, (std::vector<size_t>{2, 2, 2, 1}));
}

TEST(Exporter, Counters) {
  FakeSender sender;
  ExporterOptions options;
  options.batch_size = 2;
  options.queue_size = 100;
  options.interval = std::chrono::milliseconds(20);
  Exporter exporter(options, sender.fn());
  for (SpanId i = 1; i <= 5; ++i) exporter.submit(span(i));
  for (int i = 0; i < 200 && exporter.counters().exported < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(exporter.counters().exported, 5u);
  {
    std::lock_guard lock(sender.mu);
    sender.fail = true;
  }
  exporter.submit(span(6));
  for (int i = 0; i < 200 && exporter.counters().failures < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto c = exporter.counters();
  EXPECT_EQ(c.failures, 1u);
  EXPECT_EQ(c.dropped_export_failed, 1u);
  EXPECT_EQ(c.dropped_queue_full, 0u);
}

TEST(TraceMetrics, Render) {
  const std::string text = render_trace_metrics(ExportCounters{7, 2, 3, 1});
  EXPECT_NE(text.find("archway_trace_spans_exported_total 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("archway_trace_spans_dropped_total{reason=\"queue_full\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("archway_trace_spans_dropped_total{reason=\"export_failed\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("archway_trace_export_failures_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE archway_trace_export_failures_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace archway::tracing

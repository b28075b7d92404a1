// StatusPublisher against a fake StatusWriter: Events are handed to the
// writer every time (its EventDedupe, bounded and windowed, is the one
// de-duplication), and a last-good annotation written brings the Normal
// `Programmed` Event.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "controller/status/status_publisher.h"

namespace archway::controller::status {
namespace {

using namespace std::chrono_literals;

class FakeWriter final : public status::StatusWriter {
 public:
  Result<bool> write_route_status(const status::RouteStatus&) override { return true; }
  Result<bool> write_ingress_load_balancer(const ObjectKey&,
                                           const std::vector<std::string>&) override {
    return true;
  }
  Result<void> emit_event(const status::EventSpec& event) override {
    std::lock_guard lock(mu);
    events.push_back(event);
    return {};
  }
  Result<bool> write_last_good(const status::LastGoodAnnotation& a) override {
    std::lock_guard lock(mu);
    annotations.push_back(a);
    return a.generation > 1;  // generation 1: "already recorded"
  }
  size_t event_count() {
    std::lock_guard lock(mu);
    return events.size();
  }
  // Waits (bounded) until `n` events arrived.
  bool wait_events(size_t n) {
    for (int i = 0; i < 200 && event_count() < n; ++i) std::this_thread::sleep_for(10ms);
    return event_count() >= n;
  }

  std::mutex mu;
  std::vector<status::EventSpec> events;
  std::vector<status::LastGoodAnnotation> annotations;
};

status::EventSpec warning() {
  return {"APIRoute", "archway.dev/v1alpha1", {"ns", "r"}, "u1", "Warning", "InvalidRegex", "bad"};
}

TEST(StatusPublisher, EveryEventGoesToTheWritersOneDedupe) {
  FakeWriter writer;
  StatusPublisher publisher(writer);
  for (size_t i = 1; i <= 3; ++i) {
    StatusBatch batch;
    batch.events.push_back(warning());
    publisher.publish(std::move(batch));
    ASSERT_TRUE(writer.wait_events(i))
        << "batch " << i << " reached the writer " << writer.event_count() << " times";
  }
}

TEST(StatusPublisher, ALastGoodWriteBringsTheNormalProgrammedEvent) {
  FakeWriter writer;
  StatusPublisher publisher(writer);
  StatusBatch batch;
  batch.last_good.push_back({"Ingress", {"ns", "old"}, "u0", 1, "archway.dev/last-good", "{}"});
  batch.last_good.push_back({"Ingress", {"ns", "web"}, "u2", 5, "archway.dev/last-good", "{}"});
  publisher.publish(std::move(batch));
  ASSERT_TRUE(writer.wait_events(1));
  std::this_thread::sleep_for(50ms);  // nothing else follows
  std::lock_guard lock(writer.mu);
  ASSERT_EQ(writer.annotations.size(), 2u);
  ASSERT_EQ(writer.events.size(), 1u) << "only the annotation actually written";
  const auto& e = writer.events[0];
  EXPECT_EQ(e.type, "Normal");
  EXPECT_EQ(e.reason, "Programmed");
  EXPECT_EQ(e.kind, "Ingress");
  EXPECT_EQ(e.api_version, "networking.k8s.io/v1");
  EXPECT_EQ(e.key.name, "web");
  EXPECT_EQ(e.uid, "u2");
  EXPECT_EQ(e.note, "generation 5 is served by the proxy");
}

}  // namespace
}  // namespace archway::controller::status

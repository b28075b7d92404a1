// StatusWriter at the KubeClient seam: no-op writes skipped, lastTransitionTime
// moves only on a status flip, foreign conditions kept, 409 retried, Ingress
// load balancer addresses, and Event deduplication.

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/status/conditions.h"
#include "controller/status/event_dedupe.h"
#include "controller/status/status_writer.h"
#include "mock_kube_client.h"

namespace archway::controller::status {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::HasSubstr;
using testing::http;
using testing::http_status;
using testing::MockKubeClient;
using ::testing::NiceMock;
using ::testing::Return;

const k8s::TimePoint kT0 = k8s::TimePoint(1714564800s);  // 2024-05-01T12:00:00Z
const std::string kRoute = "/apis/archway.dev/v1alpha1/namespaces/shop/apiroutes/orders";

struct Clock {
  k8s::TimePoint now = kT0;
  k8s::NowFn fn() {
    return [this] { return now; };
  }
};

std::unique_ptr<StatusWriter> writer(MockKubeClient& client, Clock& clock) {
  StatusWriterOptions o;
  o.reporting_controller = "archway.dev/ingress-controller";
  o.reporting_instance = "pod-1";
  o.now = clock.fn();
  return make_status_writer(client, o);
}

nlohmann::json route(nlohmann::json status, const std::string& rv = "7") {
  return {{"apiVersion", "archway.dev/v1alpha1"},
          {"kind", "APIRoute"},
          {"metadata",
           {{"name", "orders"}, {"namespace", "shop"}, {"resourceVersion", rv}, {"generation", 3}}},
          {"status", std::move(status)}};
}

nlohmann::json cond(const std::string& type, const std::string& status, const std::string& reason,
                    const std::string& ltt, int gen = 3) {
  return {{"type", type},  {"status", status},          {"reason", reason},
          {"message", ""}, {"observedGeneration", gen}, {"lastTransitionTime", ltt}};
}

RouteStatus accepted(bool ok, const std::string& reason) {
  RouteStatus s;
  s.key = {"shop", "orders"};
  s.observed_generation = 3;
  s.conditions = {{"Accepted", ok, reason, ""}};
  return s;
}

TEST(Conditions, TransitionTimeMovesOnlyOnFlip) {
  const nlohmann::json current =
      nlohmann::json::array({cond("Accepted", "True", "Accepted", "2024-01-01T00:00:00Z", 2),
                             cond("Foreign", "True", "X", "2024-01-01T00:00:00Z")});
  auto same = merge_conditions(current, {{"Accepted", true, "Other", "msg"}}, 3, kT0);
  ASSERT_EQ(same.size(), 2u);
  EXPECT_EQ(same[0]["lastTransitionTime"], "2024-01-01T00:00:00Z");
  EXPECT_EQ(same[0]["reason"], "Other");
  EXPECT_EQ(same[0]["observedGeneration"], 3);
  EXPECT_EQ(same[1], current[1]) << "conditions of other writers are kept";

  auto flipped = merge_conditions(current, {{"Accepted", false, "Invalid", ""}}, 3, kT0);
  EXPECT_EQ(flipped[0]["status"], "False");
  EXPECT_EQ(flipped[0]["lastTransitionTime"], "2024-05-01T12:00:00Z");

  auto added = merge_conditions(nullptr, {{"Ready", true, "Ready", ""}}, 1, kT0);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0]["lastTransitionTime"], "2024-05-01T12:00:00Z");
}

TEST(StatusWriter, SkipsWhenNothingChanged) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  const auto current =
      route({{"observedGeneration", 3},
             {"conditions", {cond("Accepted", "True", "Accepted", "2024-01-01T00:00:00Z")}}});
  EXPECT_CALL(client, get(kRoute)).WillOnce(Return(http(200, current)));
  EXPECT_CALL(client, patch(_, _, _)).Times(0);
  auto r = writer(client, clock)->write_route_status(accepted(true, "Accepted"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST(StatusWriter, PatchesStatusSubresourceWithPrecondition) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  const auto current =
      route({{"observedGeneration", 2},
             {"conditions", {cond("Accepted", "True", "Accepted", "2024-01-01T00:00:00Z", 2)}}});
  EXPECT_CALL(client, get(kRoute)).WillOnce(Return(http(200, current)));
  EXPECT_CALL(client, patch(kRoute + "/status", _, "application/merge-patch+json"))
      .WillOnce([](const std::string&, const nlohmann::json& body, const std::string&) {
        EXPECT_EQ(body["metadata"]["resourceVersion"], "7");
        EXPECT_EQ(body["status"]["observedGeneration"], 3);
        const auto& c = body["status"]["conditions"][0];
        EXPECT_EQ(c["status"], "False");
        EXPECT_EQ(c["reason"], "InvalidRegex");
        EXPECT_EQ(c["lastTransitionTime"], "2024-05-01T12:00:00Z");
        return http(200);
      });
  auto r = writer(client, clock)->write_route_status(accepted(false, "InvalidRegex"));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(*r);
}

TEST(StatusWriter, RetriesConflicts) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  EXPECT_CALL(client, get(kRoute))
      .WillOnce(Return(http(200, route(nlohmann::json::object(), "7"))))
      .WillOnce(Return(http(200, route(nlohmann::json::object(), "8"))));
  EXPECT_CALL(client, patch(kRoute + "/status", _, _))
      .WillOnce(Return(http_status(409, "Conflict")))
      .WillOnce([](const std::string&, const nlohmann::json& body, const std::string&) {
        EXPECT_EQ(body["metadata"]["resourceVersion"], "8") << "re-read before retrying";
        return http(200);
      });
  auto r = writer(client, clock)->write_route_status(accepted(true, "Accepted"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
}

TEST(StatusWriter, GivesUpAfterRepeatedConflicts) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  ON_CALL(client, get(kRoute)).WillByDefault(Return(http(200, route(nlohmann::json::object()))));
  EXPECT_CALL(client, patch(_, _, _)).Times(6).WillRepeatedly(Return(http_status(409, "Conflict")));
  auto r = writer(client, clock)->write_route_status(accepted(true, "Accepted"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Error::Code::kConflict);
}

TEST(StatusWriter, DeletedRouteIsNoWrite) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  EXPECT_CALL(client, get(kRoute)).WillOnce(Return(http_status(404, "NotFound")));
  auto r = writer(client, clock)->write_route_status(accepted(true, "Accepted"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST(StatusWriter, TransportErrorsAreErrors) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  EXPECT_CALL(client, get(kRoute)).WillOnce(Return(Error{Error::Code::kUnavailable, "get", "x"}));
  EXPECT_FALSE(writer(client, clock)->write_route_status(accepted(true, "Accepted")).ok());
}

TEST(StatusWriter, IngressLoadBalancerIpsAndHostnames) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  const std::string path = "/apis/networking.k8s.io/v1/namespaces/web/ingresses/site";
  nlohmann::json ingress = {
      {"metadata", {{"name", "site"}, {"namespace", "web"}, {"resourceVersion", "4"}}}};
  EXPECT_CALL(client, get(path)).WillOnce(Return(http(200, ingress)));
  EXPECT_CALL(client, patch(path + "/status", _, "application/merge-patch+json"))
      .WillOnce([](const std::string&, const nlohmann::json& body, const std::string&) {
        EXPECT_EQ(body["status"]["loadBalancer"]["ingress"],
                  nlohmann::json::parse(
                      R"([{"ip":"10.0.0.1"},{"ip":"2001:db8::1"},{"hostname":"lb.example.com"}])"));
        return http(200);
      });
  auto w = writer(client, clock);
  auto r = w->write_ingress_load_balancer({"web", "site"},
                                          {"10.0.0.1", "2001:db8::1", "lb.example.com"});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);

  // Same addresses already there (ports set by someone else are ignored): no write.
  ingress["status"] = nlohmann::json::parse(
      R"({"loadBalancer":{"ingress":[{"ip":"10.0.0.1","ports":[{"port":80,"protocol":"TCP"}]}]}})");
  EXPECT_CALL(client, get(path)).WillOnce(Return(http(200, ingress)));
  r = w->write_ingress_load_balancer({"web", "site"}, {"10.0.0.1"});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

EventSpec warning(const std::string& note) {
  return EventSpec{
      "APIRoute", "archway.dev/v1alpha1", {"shop", "orders"}, "uid-1", "Warning", "InvalidRegex",
      note};
}

TEST(StatusWriter, EventShapeAndDedupe) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  std::vector<nlohmann::json> posted;
  ON_CALL(client, post("/apis/events.k8s.io/v1/namespaces/shop/events", _))
      .WillByDefault([&](const std::string&, const nlohmann::json& body) {
        posted.push_back(body);
        return http(201, body);
      });
  auto w = writer(client, clock);
  ASSERT_TRUE(w->emit_event(warning("bad regex")).ok());
  ASSERT_EQ(posted.size(), 1u);
  const auto& e = posted[0];
  EXPECT_EQ(e["apiVersion"], "events.k8s.io/v1");
  EXPECT_EQ(e["eventTime"], "2024-05-01T12:00:00.000000Z");
  EXPECT_EQ(e["reportingController"], "archway.dev/ingress-controller");
  EXPECT_EQ(e["reportingInstance"], "pod-1");
  EXPECT_EQ(e["action"], "Reconcile");
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "InvalidRegex");
  EXPECT_EQ(e["note"], "bad regex");
  EXPECT_EQ(e["regarding"]["kind"], "APIRoute");
  EXPECT_EQ(e["regarding"]["namespace"], "shop");
  EXPECT_EQ(e["regarding"]["uid"], "uid-1");
  EXPECT_THAT(e["metadata"]["name"].get<std::string>(), ::testing::StartsWith("orders."));

  clock.now += 5min;
  ASSERT_TRUE(w->emit_event(warning("bad regex")).ok());
  EXPECT_EQ(posted.size(), 1u) << "duplicate within the window";
  ASSERT_TRUE(w->emit_event(warning("another note")).ok());
  EXPECT_EQ(posted.size(), 2u) << "a different note is a different event";
  clock.now += 6min;
  ASSERT_TRUE(w->emit_event(warning("bad regex")).ok());
  EXPECT_EQ(posted.size(), 3u) << "the window passed";
}

TEST(StatusWriter, FailedEventIsRetriedNextTime) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  EXPECT_CALL(client, post(_, _))
      .WillOnce(Return(http_status(500, "InternalError")))
      .WillOnce(Return(http(201)));
  auto w = writer(client, clock);
  EXPECT_FALSE(w->emit_event(warning("n")).ok());
  EXPECT_TRUE(w->emit_event(warning("n")).ok());
}

TEST(StatusWriter, ClusterScopedEventsGoToDefault) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  EXPECT_CALL(client, post("/apis/events.k8s.io/v1/namespaces/default/events", _))
      .WillOnce([](const std::string&, const nlohmann::json& body) {
        EXPECT_FALSE(body["regarding"].contains("namespace"));
        return http(201);
      });
  EventSpec e{"IngressClass", "networking.k8s.io/v1", {"", "archway"}, "", "Normal", "Ok", "n"};
  EXPECT_TRUE(writer(client, clock)->emit_event(e).ok());
}

TEST(StatusWriter, ConditionsAreAlwaysAListNeverNull) {
  // `kubectl wait --for=condition=...` fails outright on a null list.
  EXPECT_TRUE(merge_conditions(nullptr, {}, 1, kT0).is_array());
  NiceMock<MockKubeClient> client;
  Clock clock;
  auto current = route(nlohmann::json::object());
  current["status"]["conditions"] = nullptr;
  EXPECT_CALL(client, get(kRoute)).WillOnce(Return(http(200, current)));
  EXPECT_CALL(client, patch(kRoute + "/status", _, _))
      .WillOnce([](const std::string&, const nlohmann::json& body, const std::string&) {
        EXPECT_TRUE(body["status"]["conditions"].is_array());
        return http(200);
      });
  auto r = writer(client, clock)->write_route_status([] {
    RouteStatus s = accepted(true, "");
    s.conditions.clear();
    return s;
  }());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(*r);
}

LastGoodAnnotation last_good(int64_t generation, const std::string& uid = "uid-1") {
  return {
      "APIRoute",
      {"shop", "orders"},
      uid,
      generation,
      "archway.dev/last-good",
      nlohmann::json{{"uid", uid}, {"generation", generation}, {"spec", {{"rules", 1}}}}.dump()};
}

nlohmann::json annotated(const std::string& value) {
  auto r = route(nlohmann::json::object());
  r["metadata"]["uid"] = "uid-1";
  if (!value.empty()) r["metadata"]["annotations"] = {{"archway.dev/last-good", value}};
  return r;
}

TEST(StatusWriter, LastGoodAnnotationIsPatchedOnTheObjectItself) {
  NiceMock<MockKubeClient> client;
  Clock clock;
  EXPECT_CALL(client, get(kRoute)).WillOnce(Return(http(200, annotated(""))));
  EXPECT_CALL(client, patch(kRoute, _, "application/merge-patch+json"))
      .WillOnce([](const std::string&, const nlohmann::json& body, const std::string&) {
        EXPECT_EQ(body["metadata"]["resourceVersion"], "7");
        EXPECT_EQ(body["metadata"]["annotations"]["archway.dev/last-good"], last_good(3).value);
        EXPECT_FALSE(body.contains("status"));
        return http(200);
      });
  auto r = writer(client, clock)->write_last_good(last_good(3));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(*r);
}

TEST(StatusWriter, LastGoodAnnotationNeverGoesBackOrToAnotherObject) {
  struct Case {
    const char* name;
    nlohmann::json object;
    LastGoodAnnotation write;
  };
  const Case cases[] = {
      {"same generation", annotated(last_good(3).value), last_good(3)},
      {"a newer generation is recorded", annotated(last_good(4).value), last_good(3)},
      {"another object with this name", annotated(""), last_good(3, "uid-2")},
  };
  for (const auto& c : cases) {
    NiceMock<MockKubeClient> client;
    Clock clock;
    EXPECT_CALL(client, get(kRoute)).WillOnce(Return(http(200, c.object)));
    EXPECT_CALL(client, patch(_, _, _)).Times(0);
    auto r = writer(client, clock)->write_last_good(c.write);
    ASSERT_TRUE(r.ok()) << c.name;
    EXPECT_FALSE(*r) << c.name;
  }
}

TEST(EventDedupe, BoundedByCountAndWindow) {
  EventDedupe dedupe(10min, 3);
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "event-" + std::to_string(i);
    ASSERT_TRUE(dedupe.fresh(key, kT0 + std::chrono::seconds(i % 7)));
    dedupe.record(key, kT0 + std::chrono::seconds(i % 7));
    ASSERT_LE(dedupe.size(), 3u);
  }
  EXPECT_FALSE(dedupe.fresh("event-999", kT0 + 1min)) << "the newest are kept";
  EXPECT_TRUE(dedupe.fresh("event-0", kT0 + 1min)) << "the oldest went first";
  EXPECT_TRUE(dedupe.fresh("event-999", kT0 + 11min)) << "the window passed";
  EXPECT_EQ(dedupe.size(), 0u);
}

}  // namespace
}  // namespace archway::controller::status

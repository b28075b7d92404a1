// What a push outcome turns into: APIRoute conditions and Warning Events
// (controller/status/route_conditions.h), and the debounce trigger and flags
// the push loop runs on.
#include <gtest/gtest.h>

#include <thread>

#include "controller/app/acked_generations.h"
#include "controller/app/flags.h"
#include "controller/app/load_balancer.h"
#include "controller/app/trigger.h"
#include "controller/status/route_conditions.h"

namespace archway::controller::app {
namespace {

using namespace std::chrono_literals;
using status::PushOutcome;
using status::route_status;
using status::warning_events;
using State = PushOutcome::State;

compile::ObjectVerdict verdict() {
  compile::ObjectVerdict v;
  v.kind = "APIRoute";
  v.key = {"ns", "r"};
  v.uid = "u1";
  v.generation = 4;
  return v;
}

std::string summary(const status::RouteStatus& s) {
  std::string out;
  for (const auto& c : s.conditions) {
    out += c.type + "=" + (c.status ? "True" : "False") + "/" + c.reason + " ";
  }
  return out;
}

struct Case {
  std::string name;
  compile::ObjectVerdict verdict;
  PushOutcome push;
  std::string want;
  size_t events;
  bool programmed = false;  // a proxy ACKed a snapshot holding this generation
};

TEST(RouteConditions, EveryReason) {
  auto rejected = verdict();
  rejected.accepted = false;
  rejected.accepted_reason = compile::Reason::kInvalidRegex;
  rejected.accepted_message = "spec.rules[0]...";
  auto stale = rejected;
  stale.stale_generation_serving = true;
  auto unresolved = verdict();
  unresolved.resolved_refs = false;
  unresolved.resolved_reason = compile::Reason::kBackendNotFound;
  unresolved.resolved_message = "Service ns/x not found";
  const std::vector<Case> cases = {
      {"ready",
       verdict(),
       {State::kAcked, {}},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs Programmed=True/Programmed "
       "Ready=True/Ready ",
       0,
       true},
      {"pending",
       verdict(),
       {State::kPending, "unreachable"},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs Programmed=False/Pending "
       "Ready=False/Pending ",
       0},
      {"nack",
       verdict(),
       {State::kNacked, "clusters[0]: bad"},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs Programmed=False/Rejected "
       "Ready=False/Rejected ",
       1},
      {"invalid",
       rejected,
       {State::kAcked, {}},
       "Accepted=False/InvalidRegex ResolvedRefs=True/ResolvedRefs Programmed=False/NotAccepted "
       "Ready=False/InvalidRegex ",
       1},
      {"stale",
       stale,
       {State::kAcked, {}},
       "Accepted=False/InvalidRegex ResolvedRefs=True/ResolvedRefs "
       "Programmed=False/StaleGeneration Ready=False/InvalidRegex ",
       1},
      {"unresolved",
       unresolved,
       {State::kAcked, {}},
       "Accepted=True/Accepted ResolvedRefs=False/BackendNotFound Programmed=True/Programmed "
       "Ready=False/BackendNotFound ",
       1,
       true},
      {"a later push failed: the ACKed generation stays programmed",
       verdict(),
       {State::kPending, "the proxy is unreachable"},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs Programmed=True/Programmed "
       "Ready=True/Ready ",
       0,
       true},
      {"a later push was NACKed: the ACKed generation stays programmed",
       verdict(),
       {State::kNacked, "clusters[0]: bad"},
       "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs Programmed=True/Programmed "
       "Ready=True/Ready ",
       0,
       true},
  };
  for (const auto& c : cases) {
    const auto s = route_status(c.verdict, c.push, c.programmed);
    EXPECT_EQ(summary(s), c.want) << c.name;
    EXPECT_EQ(s.observed_generation, 4) << c.name;
    const auto events = warning_events(c.verdict, c.push, c.programmed);
    EXPECT_EQ(events.size(), c.events) << c.name;
    for (const auto& e : events) {
      EXPECT_EQ(e.type, "Warning");
      EXPECT_EQ(e.uid, "u1");
      EXPECT_EQ(e.api_version, "archway.dev/v1alpha1");
    }
  }
  const auto nack = route_status(verdict(), {State::kNacked, "clusters[0]: bad"}, false);
  EXPECT_NE(nack.conditions[2].message.find("clusters[0]: bad"), std::string::npos);
}

compile::CompileResult served(int64_t generation, int64_t served_generation) {
  compile::CompileResult r;
  auto v = verdict();
  v.generation = generation;
  v.served_generation = served_generation;
  v.stale_generation_serving = served_generation != 0 && served_generation != generation;
  r.verdicts.push_back(v);
  return r;
}

TEST(AckedGenerations, ProgrammedOnlyForTheGenerationAProxyACKed) {
  AckedGenerations acked;
  EXPECT_FALSE(acked.holds(served(4, 4).verdicts[0])) << "nothing ACKed yet";
  acked.acked(served(4, 4));
  EXPECT_TRUE(acked.holds(served(4, 4).verdicts[0]));
  // Generation 5 was compiled, its push failed: only 4 is live.
  const auto next = served(5, 5);
  EXPECT_FALSE(acked.holds(next.verdicts[0]));
  EXPECT_EQ(summary(route_status(next.verdicts[0], {State::kPending, "unreachable"},
                                 acked.holds(next.verdicts[0]))),
            "Accepted=True/Accepted ResolvedRefs=True/ResolvedRefs Programmed=False/Pending "
            "Ready=False/Pending ");
  auto other_uid = served(4, 4).verdicts[0];
  other_uid.uid = "u2";
  EXPECT_FALSE(acked.holds(other_uid)) << "deleted and re-created under the same name";
  // Generation 6 is invalid; 4 keeps serving: 6 is not programmed.
  acked.acked(served(6, 4));
  EXPECT_FALSE(acked.holds(served(6, 4).verdicts[0]));
  acked.acked(served(6, 0));
  EXPECT_FALSE(acked.holds(served(4, 4).verdicts[0])) << "left out: nothing of it is live";
}

TEST(RouteConditions, StaleGenerationIsOnProgrammedAndTheEventSaysWhatServes) {
  auto v = served(6, 4).verdicts[0];
  v.accepted = false;
  v.accepted_reason = compile::Reason::kInvalidRegex;
  v.accepted_message = "spec.rules[0]: bad";
  v.kind = "Ingress";
  const auto s = route_status(v, {State::kAcked, {}}, false);
  EXPECT_EQ(s.conditions[2].reason, "StaleGeneration");
  EXPECT_NE(s.conditions[2].message.find("generation 4"), std::string::npos);
  const auto events = warning_events(v, {State::kAcked, {}}, false);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].api_version, "networking.k8s.io/v1");
  EXPECT_EQ(events[0].note,
            "spec.rules[0]: bad (generation 4, the last accepted one, keeps serving)");
}

// An Ingress that serves with annotations not honoured: one Warning Event
// per warning, beside nothing else; a rejected one gets only its rejection.
TEST(RouteConditions, WarningsOfAServedObjectBecomeWarningEvents) {
  auto v = served(3, 3).verdicts[0];
  v.kind = "Ingress";
  v.warnings = {{compile::Reason::kSnippetNotHonoured, "snippets: a"},
                {compile::Reason::kUnknownAnnotation, "unknown: b"}};
  const auto events = warning_events(v, {State::kAcked, {}}, true);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "Warning");
  EXPECT_EQ(events[0].reason, "SnippetNotHonoured");
  EXPECT_EQ(events[0].note, "snippets: a");
  EXPECT_EQ(events[1].reason, "UnknownAnnotation");
  v.accepted = false;
  v.accepted_reason = compile::Reason::kInvalidValue;
  v.accepted_message = "bad";
  const auto rejected = warning_events(v, {State::kAcked, {}}, false);
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].reason, "InvalidValue");
}

TEST(PushTrigger, FiresAtOnceThenCoalescesWithinTheWindow) {
  Trigger trigger(60ms);
  for (int i = 0; i < 5; ++i) trigger.notify();
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(trigger.wait(1s));  // a quiet window: no added delay
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
  trigger.notify();
  EXPECT_TRUE(trigger.wait(1s));  // nothing was pushed: still no window
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
  trigger.fired();
  for (int i = 0; i < 5; ++i) trigger.notify();  // a burst inside the window
  EXPECT_TRUE(trigger.wait(1s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 55ms);  // held to the window's end
  EXPECT_FALSE(trigger.wait(30ms));                           // the burst was consumed once
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    trigger.stop();
  });
  EXPECT_FALSE(trigger.wait(5s));  // stop wakes a waiter at once
  stopper.join();
  EXPECT_TRUE(trigger.stopped());
}

TEST(PushFlags, ParsesTheControllerFlags) {
  const char* argv[] = {"archway-controller",
                        "--kubeconfig",
                        "/k",
                        "--watch-namespace",
                        "a",
                        "--watch-namespace",
                        "b",
                        "--debounce",
                        "20ms",
                        "--publish-service",
                        "ns/svc",
                        "--lease-duration",
                        "3s"};
  auto flags = parse_flags(static_cast<int>(std::size(argv)), argv);
  ASSERT_TRUE(flags.ok()) << flags.error().to_string();
  EXPECT_EQ(flags->options.kubeconfig, "/k");
  EXPECT_EQ(flags->options.watch_namespaces, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(flags->options.debounce, 20ms);
  EXPECT_EQ(flags->options.lease_duration, 3s);
  EXPECT_EQ(flags->options.ingress_class, "archway");
  const char* bad[] = {"archway-controller", "--debounce", "soon"};
  EXPECT_FALSE(parse_flags(3, bad).ok());
  const char* bad_service[] = {"archway-controller", "--publish-service", "nosslash"};
  EXPECT_FALSE(parse_flags(3, bad_service).ok());
}

TEST(PushLoadBalancer, AddressFlagThenServiceStatusThenClusterIP) {
  ClusterState state;
  state.services[{"ns", "svc"}] = nlohmann::json::parse(
      R"({"spec":{"clusterIP":"10.96.0.5"},"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.7"},{"hostname":"lb.example.com"}]}}})");
  state.services[{"ns", "plain"}] = nlohmann::json::parse(R"({"spec":{"clusterIP":"10.96.0.6"}})");
  AppOptions o;
  o.publish_service = "ns/svc";
  EXPECT_EQ(publish_addresses(o, state),
            (std::vector<std::string>{"203.0.113.7", "lb.example.com"}));
  o.publish_service = "ns/plain";
  EXPECT_EQ(publish_addresses(o, state), std::vector<std::string>{"10.96.0.6"});
  o.publish_service = "ns/absent";
  EXPECT_TRUE(publish_addresses(o, state).empty());
  o.publish_addresses = {"192.0.2.1"};
  EXPECT_EQ(publish_addresses(o, state), std::vector<std::string>{"192.0.2.1"});
}

}  // namespace
}  // namespace archway::controller::app

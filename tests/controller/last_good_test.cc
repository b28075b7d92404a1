// Last known good across pushes, restarts and leader changes
// (controller/app/last_good.h): the reconciler's bookkeeping between
// compile and the proxy's ACK, driven the way the reconciler drives it.

#include <gtest/gtest.h>

#include "controller/app/last_good.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller::app {
namespace {

using testing::set_at;

const std::string kApp = R"(
apiVersion: v1
kind: Service
metadata: {name: app, namespace: ns}
spec: {clusterIP: 10.96.0.1, ports: [{name: web, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: app-1, namespace: ns, labels: {kubernetes.io/service-name: app}}
addressType: IPv4
ports: [{name: web, port: 8080}]
endpoints: [{addresses: [10.0.0.1]}]
)";

std::string regex_route(const std::string& name, const std::string& regex, int generation) {
  return "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: " + name +
         ", namespace: ns, uid: uid-" + name + ", generation: " + std::to_string(generation) +
         ", creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec: {hostnames: [" + name +
         ".example.com], rules: [{name: main, matches: [{path: {type: RegularExpression, value: '" +
         regex + "'}}], backends: [{name: app, port: 80}]}]}\n";
}

// The path regex `host` is served with, or "" when it is not.
std::string served_regex(const compile::CompileResult& r, const std::string& host) {
  for (const auto& vh : r.snapshot.virtual_hosts) {
    if (vh.name == host) return vh.routes.at(0).matches.at(0).path.value;
  }
  return "";
}

// One reconciler cycle that the proxy ACKs.
compile::CompileResult acked_cycle(LastGood& last_good, AckedGenerations& acked,
                                   const ClusterState& state) {
  auto result = compile::compile(state, testing::test_options(), last_good.for_compile(state));
  acked.acked(result);
  last_good.acked(result, state);
  return result;
}

TEST(LastGood, HoldsAcrossAnyNumberOfPushes) {
  LastGood last_good;
  AckedGenerations acked;
  acked_cycle(last_good, acked,
              testing::state_from_yaml(kApp + regex_route("r", "^/ok$", 1) +
                                       regex_route("other", "^/0$", 1)));
  for (int push = 1; push <= 20; ++push) {  // other objects change: a push each time
    const auto state =
        testing::state_from_yaml(kApp + regex_route("r", "^/(bad$", 2) +
                                 regex_route("other", "^/" + std::to_string(push) + "$", push + 1));
    const auto r = acked_cycle(last_good, acked, state);
    ASSERT_EQ(served_regex(r, "r.example.com"), "^/ok$") << "push " << push;
    EXPECT_EQ(served_regex(r, "other.example.com"), "^/" + std::to_string(push) + "$");
  }
  // Fixed: the new generation serves and becomes the last good one.
  const auto fixed = testing::state_from_yaml(kApp + regex_route("r", "^/new$", 3));
  EXPECT_EQ(served_regex(acked_cycle(last_good, acked, fixed), "r.example.com"), "^/new$");
  const auto broken_again = testing::state_from_yaml(kApp + regex_route("r", "^/(bad$", 4));
  EXPECT_EQ(served_regex(acked_cycle(last_good, acked, broken_again), "r.example.com"), "^/new$");
  // Deleted: forgotten, so a new route of that name starts from nothing.
  acked_cycle(last_good, acked, testing::state_from_yaml(kApp));
  const auto recreated = testing::state_from_yaml(kApp + regex_route("r", "^/(bad$", 4));
  EXPECT_EQ(served_regex(acked_cycle(last_good, acked, recreated), "r.example.com"), "");
}

TEST(LastGood, ARestartedControllerFindsItInTheAnnotation) {
  LastGood first;
  AckedGenerations acked;
  const auto good = testing::state_from_yaml(kApp + regex_route("r", "^/ok$", 1));
  const auto r = acked_cycle(first, acked, good);
  const auto writes = last_good_writes(r, good, {}, acked);
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].kind, "APIRoute");
  EXPECT_EQ(writes[0].generation, 1);
  EXPECT_EQ(writes[0].uid, "uid-r");

  // Generation 2 is invalid and carries the annotation the leader wrote; a
  // new process (nothing in memory) serves generation 1 from it.
  ClusterState bad = testing::state_from_yaml(kApp + regex_route("r", "^/(bad$", 2));
  set_at(bad.api_routes.begin()->second,
         nlohmann::json::json_pointer("/metadata/annotations") / kLastGoodAnnotation,
         writes[0].value);
  EXPECT_EQ(annotated_generation(bad.api_routes.begin()->second), 1);
  LastGood restarted;
  AckedGenerations restarted_acked;
  const auto after = acked_cycle(restarted, restarted_acked, bad);
  EXPECT_EQ(served_regex(after, "r.example.com"), "^/ok$");
  EXPECT_TRUE(last_good_writes(after, bad, restarted.for_compile(bad), restarted_acked).empty())
      << "generation 1 is recorded already, and generation 2 is not good";

  // The annotation copied onto another object (another uid) is ignored.
  ClusterState copied = bad;
  set_at(copied.api_routes.begin()->second, nlohmann::json::json_pointer("/metadata/uid"),
         "uid-copy");
  LastGood other;
  EXPECT_EQ(served_regex(acked_cycle(other, restarted_acked, copied), "r.example.com"), "");
}

TEST(LastGood, AnnotationWritesOnlyForACKedCurrentGenerations) {
  LastGood last_good;
  AckedGenerations acked;
  const auto state = testing::state_from_yaml(kApp + regex_route("r", "^/ok$", 3));
  const auto r = compile::compile(state, testing::test_options(), last_good.for_compile(state));
  EXPECT_TRUE(last_good_writes(r, state, {}, acked).empty()) << "not ACKed yet";
  acked.acked(r);
  ClusterState annotated = state;
  set_at(annotated.api_routes.begin()->second,
         nlohmann::json::json_pointer("/metadata/annotations") / kLastGoodAnnotation,
         last_good_annotation(state.api_routes.begin()->second));
  EXPECT_EQ(last_good_writes(r, state, {}, acked).size(), 1u);
  EXPECT_TRUE(last_good_writes(r, annotated, {}, acked).empty()) << "already recorded";
}

TEST(LastGood, AGenerationReplacedTooSoonIsStillRecorded) {
  // Generation 1 was ACKed, but generation 2 (invalid) arrived before the
  // leader wrote the annotation: generation 1, which still serves, is the
  // one recorded, with its own spec.
  LastGood last_good;
  AckedGenerations acked;
  acked_cycle(last_good, acked, testing::state_from_yaml(kApp + regex_route("r", "^/ok$", 1)));
  const auto bad = testing::state_from_yaml(kApp + regex_route("r", "^/(bad$", 2));
  const auto inputs = last_good.for_compile(bad);
  const auto r = compile::compile(bad, testing::test_options(), inputs);
  acked.acked(r);
  last_good.acked(r, bad);
  const auto writes = last_good_writes(r, bad, inputs, acked);
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].generation, 1);
  EXPECT_NE(writes[0].value.find("^/ok$"), std::string::npos) << writes[0].value;
}

}  // namespace
}  // namespace archway::controller::app

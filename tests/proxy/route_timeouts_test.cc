// A route timeout of `0s` disables that limit (the APIRoute CRD says so):
// the snapshot validator accepts it, and the exchange runs without that
// limit instead of timing out at once or refusing the whole snapshot.

#include <gtest/gtest.h>

#include "proxy/config/route_timeouts.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

using namespace std::chrono_literals;

std::string snapshot_with_timeouts(const std::string& timeouts) {
  return R"({"version": "1", "listeners": [{"name": "http", "port": 8080}],
    "virtualHosts": [{"name": "api", "domains": ["api.example.com"],
      "routes": [{"name": "r0", "backends": [{"cluster": "c0"}], "timeouts": )" +
         timeouts + R"(}]}],
    "clusters": [{"name": "c0", "endpoints": [{"address": "10.0.0.1", "port": 80}]}]})";
}

TEST(RouteTimeouts, ZeroMeansDisabledAndTheSnapshotIsAccepted) {
  for (const char* timeouts : {R"({"request": "0s"})", R"({"backendRequest": "0s"})",
                               R"({"idle": "0ms"})", R"({"request": "0s", "idle": "0s"})"}) {
    auto parsed = parse_snapshot_json(snapshot_with_timeouts(timeouts));
    EXPECT_TRUE(parsed.ok()) << timeouts << ": " << parsed.error().to_string();
  }
}

TEST(RouteTimeouts, NegativeStaysRefusedInACodeBuiltSnapshot) {
  auto parsed = parse_snapshot_json(snapshot_with_timeouts(R"({"request": "1s"})"));
  ASSERT_TRUE(parsed.ok());
  Snapshot edited = parsed->snapshot();
  edited.virtual_hosts[0].routes[0].timeouts.request = Duration{-1};
  auto valid = validate_snapshot(std::move(edited));
  ASSERT_FALSE(valid.ok());
  EXPECT_EQ(valid.error().field, "virtualHosts[0].routes[0].timeouts.request");
}

struct Case {
  const char* name;
  Timeouts timeouts;
  std::optional<Duration> request;
  std::optional<Duration> attempt;
  std::optional<Duration> tunnel_idle;
};

TEST(RouteTimeouts, EffectiveLimits) {
  Limits limits;
  limits.request_timeout = 60s;
  limits.idle_timeout = 300s;
  const Case cases[] = {
      {"unset: the snapshot's limits", {}, Duration{60s}, std::nullopt, Duration{300s}},
      {"request", {Duration{15s}, {}, {}}, Duration{15s}, std::nullopt, Duration{300s}},
      {"backendRequest shorter: a timer of its own",
       {Duration{15s}, Duration{5s}, {}},
       Duration{15s},
       Duration{5s},
       Duration{300s}},
      {"request 0s: no limit", {Duration{0}, {}, {}}, std::nullopt, std::nullopt, Duration{300s}},
      {"request 0s, backendRequest 5s",
       {Duration{0}, Duration{5s}, {}},
       std::nullopt,
       Duration{5s},
       Duration{300s}},
      {"backendRequest 0s: request still applies",
       {Duration{15s}, Duration{0}, {}},
       Duration{15s},
       std::nullopt,
       Duration{300s}},
      {"backendRequest 0s alone: the default request limit",
       {{}, Duration{0}, {}},
       Duration{60s},
       std::nullopt,
       Duration{300s}},
      {"backendRequest alone: the default request limit too",
       {{}, Duration{2s}, {}},
       Duration{60s},
       Duration{2s},
       Duration{300s}},
      {"idle 0s: no idle limit", {{}, {}, Duration{0}}, Duration{60s}, std::nullopt, std::nullopt},
      {"idle", {{}, {}, Duration{30s}}, Duration{60s}, std::nullopt, Duration{30s}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(request_timeout(c.timeouts, limits), c.request) << c.name;
    EXPECT_EQ(attempt_timeout(c.timeouts), c.attempt) << c.name;
    EXPECT_EQ(tunnel_idle_timeout(c.timeouts, limits), c.tunnel_idle) << c.name;
  }
}

// A request's streams are bounded only by the rule's own `idle`: the
// proxy's idleTimeout (300 s) is for connections and tunnels.
TEST(RouteTimeouts, StreamIdleIsTheRulesOwn) {
  EXPECT_EQ(stream_idle_timeout(Timeouts{}), std::nullopt);
  EXPECT_EQ(stream_idle_timeout(Timeouts{{}, {}, Duration{0}}), std::nullopt);
  EXPECT_EQ(stream_idle_timeout(Timeouts{{}, {}, Duration{30s}}), Duration{30s});
}

}  // namespace
}  // namespace archway::config

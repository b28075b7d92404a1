// Programmed across replicas (issue 18): the replica Lease's round trip,
// the generation digest a replica reports, and how the leader turns the
// replicas' reports into Programmed and programmedReplicas.
#include <gtest/gtest.h>

#include "controller/app/acked_generations.h"
#include "controller/replicas/replica_report.h"
#include "controller/status/route_conditions.h"

namespace archway::controller {
namespace {

using replicas::ProxyState;
using replicas::ReplicaReport;

TEST(ReplicaReport, LeaseNamesAreValidObjectNamesAndKeepIdentitiesApart) {
  const auto a = replicas::replica_lease_name("archway-controller", "Pod_A.1");
  const auto b = replicas::replica_lease_name("archway-controller", "pod-a-1");
  EXPECT_NE(a, b) << "the hash keeps two identities that clean up alike apart";
  for (const auto& name :
       {a, b, replicas::replica_lease_name("archway-controller", std::string(300, 'x')),
        replicas::replica_lease_name("archway-controller", "___")}) {
    EXPECT_LE(name.size(), 63u) << name;
    EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-"), std::string::npos)
        << name;
    EXPECT_NE(name.front(), '-');
    EXPECT_NE(name.back(), '-') << name;
    EXPECT_EQ(name.rfind("archway-controller-replica-", 0), 0u) << name;
  }
}

TEST(ReplicaReport, RoundTripsThroughTheLeaseAndExpires) {
  ReplicaReport r;
  r.identity = "ctl-b";
  r.digest = "00ff00ff00ff00ff";
  r.state = ProxyState::kNacked;
  r.message = "listener port in use";
  r.renewed = k8s::parse_time("2026-12-07T10:00:00.250000Z").value();
  r.lease_duration_s = 15;
  const auto lease = replicas::replica_lease(r, "archway", "l-replica-ctl-b", "l");
  EXPECT_EQ(lease["metadata"]["labels"][replicas::kReplicaOfLabel], "l");
  EXPECT_EQ(replicas::parse_replica_lease(lease), r);
  EXPECT_TRUE(replicas::live(r, r.renewed + std::chrono::seconds(14)));
  EXPECT_FALSE(replicas::live(r, r.renewed + std::chrono::seconds(15)));

  // Not ours, or damaged: not a report (never a throw).
  EXPECT_FALSE(replicas::parse_replica_lease(nlohmann::json::object()));
  auto wrong = lease;
  wrong["spec"]["leaseDurationSeconds"] = "fifteen";
  EXPECT_FALSE(replicas::parse_replica_lease(wrong));
  auto garbled = lease;
  garbled["metadata"]["annotations"][replicas::kProxyStateAnnotation] = "{not json";
  const auto parsed = replicas::parse_replica_lease(garbled);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->state, ProxyState::kPending) << "an unreadable state is no claim to serve";
  EXPECT_EQ(parsed->digest, "");
}

compile::ObjectVerdict verdict(const std::string& name, int64_t generation, const char* uid = "u") {
  compile::ObjectVerdict v;
  v.kind = "APIRoute";
  v.key = {"ns", name};
  v.uid = uid;
  v.generation = generation;
  v.served_generation = generation;
  return v;
}

compile::CompileResult result_of(std::vector<compile::ObjectVerdict> verdicts) {
  compile::CompileResult r;
  r.verdicts = std::move(verdicts);
  return r;
}

TEST(GenerationDigest, NamesExactlyTheGenerationsHeld) {
  const auto a = app::AckedGenerations::of(result_of({verdict("a", 1), verdict("b", 3)}));
  const auto same = app::AckedGenerations::of(result_of({verdict("a", 1), verdict("b", 3)}));
  const auto newer = app::AckedGenerations::of(result_of({verdict("a", 2), verdict("b", 3)}));
  const auto recreated =
      app::AckedGenerations::of(result_of({verdict("a", 1, "other-uid"), verdict("b", 3)}));
  const auto empty = app::AckedGenerations::of(result_of({}));
  EXPECT_EQ(a.digest(), same.digest());
  EXPECT_EQ(a.digest().size(), 16u);
  EXPECT_NE(a.digest(), newer.digest());
  EXPECT_NE(a.digest(), recreated.digest());
  EXPECT_NE(empty.digest(), "") << "an ACKed empty snapshot is a state too";
  EXPECT_EQ(app::AckedGenerations{}.digest(), "") << "nothing ACKed yet";

  app::GenerationHistory history;
  history.add(a);
  history.add(newer);
  ASSERT_NE(history.find(a.digest()), nullptr);
  EXPECT_TRUE(history.find(a.digest())->holds(verdict("a", 1)));
  EXPECT_FALSE(history.find(a.digest())->holds(verdict("a", 2)));
  EXPECT_TRUE(history.find(newer.digest())->holds(verdict("a", 2)));
  EXPECT_EQ(history.find("0000000000000000"), nullptr);
  for (int g = 10; g < 10 + static_cast<int>(app::GenerationHistory::kKept); ++g) {
    history.add(app::AckedGenerations::of(result_of({verdict("a", g)})));
  }
  EXPECT_EQ(history.find(a.digest()), nullptr) << "bounded: the oldest sets go";
}

TEST(ReplicaProgress, ProgrammedOnlyWhenEveryLiveReplicaServesIt) {
  const auto v = verdict("r", 4);
  const status::PushOutcome acked{status::PushOutcome::State::kAcked, ""};
  struct Case {
    const char* name;
    bool own;
    status::ReplicaProgress progress;
    bool programmed;
    const char* reason;
    const char* replicas;
    const char* message_has;
  };
  const Case cases[] = {
      {"alone", true, {1, 1, {}, false, 0.2}, true, "Programmed", "1/1", "generation 4"},
      {"all three", true, {3, 3, {}, false, 0.7}, true, "Programmed", "3/3", ""},
      {"one lags",
       true,
       {2, 3, {"ctl-c (has not acknowledged it)"}, false, std::nullopt},
       false,
       "ReplicasPending",
       "2/3",
       "served by 2 of 3 replicas; not yet by ctl-c (has not acknowledged it)"},
      {"one rejected",
       true,
       {2, 3, {"ctl-b (its proxy rejected the snapshot: bad)"}, true, std::nullopt},
       false,
       "ReplicaRejected",
       "2/3",
       "ctl-b (its proxy rejected the snapshot: bad)"},
      {"this replica's own proxy first",
       false,
       {0, 2, {"ctl-b (x)"}, false, std::nullopt},
       false,
       "Pending",
       "0/2",
       "waiting for the proxy"},
  };
  for (const auto& c : cases) {
    const auto s = status::route_status(v, acked, c.own, c.progress);
    const auto& programmed = s.conditions[2];
    ASSERT_EQ(programmed.type, "Programmed");
    EXPECT_EQ(programmed.status, c.programmed) << c.name;
    EXPECT_EQ(programmed.reason, c.reason) << c.name;
    EXPECT_NE(programmed.message.find(c.message_has), std::string::npos)
        << c.name << ": " << programmed.message;
    EXPECT_EQ(s.programmed_replicas, c.replicas) << c.name;
    EXPECT_EQ(s.conditions[3].status, c.programmed) << c.name << ": Ready follows";
    EXPECT_EQ(s.programmed_seconds, c.progress.programmed_seconds) << c.name;
  }
}

}  // namespace
}  // namespace archway::controller

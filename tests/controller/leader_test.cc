// Leader election at the KubeClient seam: LeaseLock steps with explicit times,
// and LeaderElector loops against an in-memory Lease with optimistic
// concurrency (resourceVersion), as the API server does it.

#include <atomic>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/leader/leader_elector.h"
#include "controller/leader/lease_lock.h"
#include "mock_kube_client.h"

namespace archway::controller::leader {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::NiceMock;
using ::testing::Return;
using testing::http;
using testing::http_status;
using testing::MockKubeClient;

const k8s::TimePoint kT0 = k8s::TimePoint(1714564800s);
const std::string kPath = "/apis/coordination.k8s.io/v1/namespaces/ns/leases/archway";

// One Lease held in memory; GET/POST/PUT behave like the API server's.
class FakeLeaseServer {
 public:
  explicit FakeLeaseServer(NiceMock<MockKubeClient>& client) {
    ON_CALL(client, get(kPath)).WillByDefault([this](const std::string&) -> Result<k8s::HttpResult> {
      std::lock_guard lock(mu_);
      if (down_) return Error{Error::Code::kUnavailable, "get", "connection refused"};
      if (lease_.is_null()) return http_status(404, "NotFound");
      return http(200, lease_);
    });
    ON_CALL(client, post(_, _))
        .WillByDefault([this](const std::string&, const nlohmann::json& body) -> Result<k8s::HttpResult> {
          std::lock_guard lock(mu_);
          if (down_) return Error{Error::Code::kUnavailable, "post", "connection refused"};
          if (!lease_.is_null()) return http_status(409, "AlreadyExists");
          lease_ = body;
          lease_["metadata"]["resourceVersion"] = std::to_string(++rv_);
          return http(201, lease_);
        });
    ON_CALL(client, put(kPath, _))
        .WillByDefault([this](const std::string&, const nlohmann::json& body) -> Result<k8s::HttpResult> {
          std::lock_guard lock(mu_);
          if (down_) return Error{Error::Code::kUnavailable, "put", "connection refused"};
          if (body["metadata"]["resourceVersion"] != lease_["metadata"]["resourceVersion"]) {
            return http_status(409, "Conflict");
          }
          lease_ = body;
          lease_["metadata"]["resourceVersion"] = std::to_string(++rv_);
          return http(200, lease_);
        });
  }
  nlohmann::json spec() {
    std::lock_guard lock(mu_);
    return lease_.is_null() ? nlohmann::json() : lease_["spec"];
  }
  // Another replica writes the Lease (holder `id`, renewed at `now`).
  void steal(const std::string& id, k8s::TimePoint now) {
    std::lock_guard lock(mu_);
    lease_["spec"]["holderIdentity"] = id;
    lease_["spec"]["renewTime"] = k8s::format_micro_time(now);
    lease_["metadata"]["resourceVersion"] = std::to_string(++rv_);
  }
  void set_down(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }

 private:
  std::mutex mu_;
  nlohmann::json lease_;
  int rv_ = 0;
  bool down_ = false;
};

LeaderOptions options(const std::string& id) {
  LeaderOptions o;
  o.lease_namespace = "ns";
  o.lease_name = "archway";
  o.identity = id;
  o.lease_duration = 15s;
  return o;
}

TEST(LeaseLock, CreatesWhenAbsent) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  LeaseLock lock(client, options("a"));
  auto r = lock.try_acquire_or_renew(kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  const auto spec = server.spec();
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["renewTime"], "2024-05-01T12:00:00.000000Z");  // MicroTime
  EXPECT_EQ(spec["acquireTime"], "2024-05-01T12:00:00.000000Z");
}

TEST(LeaseLock, RenewKeepsAcquireTime) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  LeaseLock lock(client, options("a"));
  ASSERT_TRUE(*lock.try_acquire_or_renew(kT0));
  ASSERT_TRUE(*lock.try_acquire_or_renew(kT0 + 2s));
  const auto spec = server.spec();
  EXPECT_EQ(spec["acquireTime"], "2024-05-01T12:00:00.000000Z");
  EXPECT_EQ(spec["renewTime"], "2024-05-01T12:00:02.000000Z");
  EXPECT_EQ(spec["leaseTransitions"], 0);
}

TEST(LeaseLock, RespectsAValidHolderAndTakesOverAnExpiredOne) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  LeaseLock a(client, options("a")), b(client, options("b"));
  ASSERT_TRUE(*a.try_acquire_or_renew(kT0));
  EXPECT_CALL(client, put(_, _)).Times(0);
  EXPECT_FALSE(*b.try_acquire_or_renew(kT0 + 10s));
  EXPECT_FALSE(*b.try_acquire_or_renew(kT0 + 15s));  // renewTime + duration == now: still valid
  ::testing::Mock::VerifyAndClearExpectations(&client);  // keeps the ON_CALL defaults
  EXPECT_TRUE(*b.try_acquire_or_renew(kT0 + 16s));
  const auto spec = server.spec();
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  EXPECT_EQ(spec["acquireTime"], "2024-05-01T12:00:16.000000Z");
  EXPECT_FALSE(*a.try_acquire_or_renew(kT0 + 17s)) << "a lost it and must not renew";
}

TEST(LeaseLock, ConflictMeansSomeoneElseWon) {
  NiceMock<MockKubeClient> client;
  nlohmann::json lease = {{"metadata", {{"resourceVersion", "5"}}},
                          {"spec", {{"holderIdentity", "old"}, {"leaseDurationSeconds", 1},
                                    {"renewTime", "2020-01-01T00:00:00.000000Z"}}}};
  EXPECT_CALL(client, get(kPath)).WillOnce(Return(http(200, lease)));
  EXPECT_CALL(client, put(kPath, _)).WillOnce([](const std::string&, const nlohmann::json& body) {
    EXPECT_EQ(body["metadata"]["resourceVersion"], "5");  // the precondition
    return http_status(409, "Conflict");
  });
  LeaseLock lock(client, options("a"));
  auto r = lock.try_acquire_or_renew(kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(*r);
}

TEST(LeaseLock, ServerErrorsAreErrors) {
  NiceMock<MockKubeClient> client;
  EXPECT_CALL(client, get(kPath)).WillOnce(Return(http_status(403, "Forbidden")));
  LeaseLock lock(client, options("a"));
  EXPECT_FALSE(lock.try_acquire_or_renew(kT0).ok());
}

TEST(LeaseLock, ReleaseHandsBack) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  LeaseLock a(client, options("a")), b(client, options("b"));
  ASSERT_TRUE(*a.try_acquire_or_renew(kT0));
  ASSERT_TRUE(b.release(kT0 + 1s).ok());  // not the holder: no-op
  EXPECT_EQ(server.spec()["holderIdentity"], "a");
  ASSERT_TRUE(a.release(kT0 + 1s).ok());
  EXPECT_EQ(server.spec()["holderIdentity"], "");
  EXPECT_EQ(server.spec()["leaseDurationSeconds"], 1);
  EXPECT_TRUE(*b.try_acquire_or_renew(kT0 + 1s)) << "a released lease is free at once";
}

TEST(LeaseExpiry, Rules) {
  LeaseRecord r{"a", 10, kT0, kT0, 0};
  EXPECT_FALSE(lease_expired(r, kT0 + 10s));
  EXPECT_TRUE(lease_expired(r, kT0 + 10s + 1us));
  r.holder = "";
  EXPECT_TRUE(lease_expired(r, kT0));
  r.holder = "a";
  r.renew_time.reset();
  EXPECT_TRUE(lease_expired(r, kT0));
}

// A fake wall clock shared by the elector and the test.
struct FakeClock {
  std::atomic<int64_t> us{std::chrono::duration_cast<std::chrono::microseconds>(
                              kT0.time_since_epoch()).count()};
  k8s::NowFn fn() {
    return [this] { return k8s::TimePoint(std::chrono::microseconds(us.load())); };
  }
  void advance(std::chrono::microseconds d) { us += d.count(); }
};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

LeaderOptions fast(const std::string& id, FakeClock& clock) {
  LeaderOptions o = options(id);
  o.lease_duration = 15s;
  o.renew_deadline = 10s;
  o.retry_period = 5ms;
  o.now = clock.fn();
  return o;
}

TEST(LeaderElector, AcquiresAndFailsOverOnStop) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  FakeClock clock;
  std::atomic<int> a_started{0}, a_stopped{0}, b_started{0};
  auto a = make_leader_elector(client, fast("a", clock));
  a->start([&] { ++a_started; }, [&] { ++a_stopped; });
  ASSERT_TRUE(eventually([&] { return a->is_leader(); }));
  auto b = make_leader_elector(client, fast("b", clock));
  b->start([&] { ++b_started; }, [] {});
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(b->is_leader()) << "a renews; b must wait";
  a->stop();
  EXPECT_EQ(a_started.load(), 1);
  EXPECT_EQ(a_stopped.load(), 1);
  EXPECT_FALSE(a->is_leader());
  EXPECT_TRUE(eventually([&] { return b->is_leader(); })) << "released: no lease_duration wait";
  EXPECT_EQ(server.spec()["holderIdentity"], "b");
  b->stop();
}

TEST(LeaderElector, StepsDownWhenRenewalsFailPastTheDeadline) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  FakeClock clock;
  std::atomic<int> stopped{0};
  auto a = make_leader_elector(client, fast("a", clock));
  a->start([] {}, [&] { ++stopped; });
  ASSERT_TRUE(eventually([&] { return a->is_leader(); }));
  server.set_down(true);
  clock.advance(9s);
  std::this_thread::sleep_for(30ms);
  EXPECT_TRUE(a->is_leader()) << "within the renew deadline";
  EXPECT_EQ(stopped.load(), 0);
  clock.advance(1s);
  EXPECT_FALSE(a->is_leader()) << "is_leader turns false at the deadline, without the loop";
  EXPECT_TRUE(eventually([&] { return stopped.load() == 1; }));
  a->stop();
  EXPECT_EQ(stopped.load(), 1) << "no second on_stopped_leading";
}

TEST(LeaderElector, StepsDownAtOnceWhenAnotherHolderIsSeen) {
  NiceMock<MockKubeClient> client;
  FakeLeaseServer server(client);
  FakeClock clock;
  std::atomic<int> stopped{0};
  auto a = make_leader_elector(client, fast("a", clock));
  a->start([] {}, [&] { ++stopped; });
  ASSERT_TRUE(eventually([&] { return a->is_leader(); }));
  // Another replica took the lease (e.g. after a long pause of this one).
  server.steal("z", clock.fn()());
  EXPECT_TRUE(eventually([&] { return stopped.load() == 1 && !a->is_leader(); }));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(server.spec()["holderIdentity"], "z") << "a must not take a valid lease back";
  a->stop();
}

}  // namespace
}  // namespace archway::controller::leader

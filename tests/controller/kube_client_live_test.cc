// Manual check against a real kube-apiserver (dev only): skipped unless
// ARCHWAY_TEST_KUBECONFIG names a kubeconfig, e.g.
//   scripts/cluster-up.sh /tmp/kc
//   ARCHWAY_TEST_KUBECONFIG=/tmp/kc/kubeconfig build/tests/controller_unit_tests
//   --gtest_filter='Live*'
// Lists, watches (incl. prompt stop and the server ending a watch),
// runs the informers, takes and releases a Lease, writes Ingress status and
// an Event. Objects are created in "default" with unique names and deleted.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>

#include "controller/informer/informer_set.h"
#include "controller/k8s/kube_client.h"
#include "controller/leader/leader_elector.h"
#include "controller/status/status_writer.h"

namespace archway::controller {
namespace {

using namespace std::chrono_literals;

class LiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* path = std::getenv("ARCHWAY_TEST_KUBECONFIG");
    if (path == nullptr || *path == '\0') GTEST_SKIP() << "ARCHWAY_TEST_KUBECONFIG not set";
    auto config = k8s::load_kubeconfig(path);
    ASSERT_TRUE(config.ok()) << config.error().to_string();
    client_ = k8s::make_kube_client(*config);
    suffix_ = std::to_string(getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
  }
  std::unique_ptr<k8s::KubeClient> client_;
  std::string suffix_;
};

nlohmann::json named(const char* json, const std::string& name) {
  auto j = nlohmann::json::parse(json);
  j["metadata"]["name"] = name;
  return j;
}

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

TEST_F(LiveTest, ListWatchCreateDelete) {
  auto list = client_->get("/api/v1/namespaces/default/configmaps?limit=1");
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  ASSERT_EQ(list->status, 200) << list->body.dump();
  const std::string rv = list->body["metadata"]["resourceVersion"];

  const std::string name = "archway-live-" + suffix_;
  std::atomic<bool> seen{false}, stop{false};
  std::atomic<int> status{0};
  std::thread watcher([&] {
    auto r = client_->watch(
        "/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=" +
            rv,
        [&](const k8s::WatchEvent& e) {
          if (e.type == "ADDED" && e.object["metadata"]["name"] == name) seen = true;
        },
        [&] { return stop.load(); });
    status = r.ok() ? *r : -1;
  });
  auto created = client_->post("/api/v1/namespaces/default/configmaps",
                               {{"metadata", {{"name", name}}}, {"data", {{"k", "v"}}}});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, 201) << created->body.dump();
  EXPECT_TRUE(eventually([&] { return seen.load(); })) << "the event arrives while streaming";
  const auto t0 = std::chrono::steady_clock::now();
  stop = true;
  watcher.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "stop() is honoured promptly";
  EXPECT_EQ(status.load(), 200);

  auto missing = client_->get("/api/v1/namespaces/default/configmaps/does-not-exist-" + suffix_);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body["reason"], "NotFound");
  auto deleted = client_->del("/api/v1/namespaces/default/configmaps/" + name);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status, 200);
}

// A fresh cluster has not compacted etcd, so a 410 cannot be provoked here;
// the server ending a watch (timeoutSeconds) can.
TEST_F(LiveTest, ServerEndsWatchAtTimeoutSeconds) {
  int events = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = client_->watch(
      "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1",
      [&](const k8s::WatchEvent&) { ++events; }, [] { return false; });
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(*r, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_GE(events, 1) << "kube-root-ca.crt is ADDED first (no resourceVersion: list + watch)";
}

TEST_F(LiveTest, InformersSyncAndSeeChanges) {
  auto informers = informer::make_informer_set(*client_, {});
  std::atomic<int> changes{0};
  informers->start([&] { ++changes; });
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  EXPECT_GE(changes.load(), 1);
  EXPECT_TRUE(informers->state().services.count({"default", "kubernetes"}));
  const std::string name = "archway-live-" + suffix_;
  auto created = client_->post(
      "/api/v1/namespaces/default/services",
      named(R"({"metadata":{},"spec":{"ports":[{"port":80,"targetPort":8080}]}})", name));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body.dump();
  EXPECT_TRUE(eventually([&] {
    return informers->state().services.count({"default", name}) == 1;
  }));
  ASSERT_TRUE(client_->del("/api/v1/namespaces/default/services/" + name).ok());
  EXPECT_TRUE(eventually([&] {
    return informers->state().services.count({"default", name}) == 0;
  }));
  const auto t0 = std::chrono::steady_clock::now();
  informers->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST_F(LiveTest, LeaseAcquireReleaseTakeover) {
  leader::LeaderOptions o;
  o.lease_namespace = "default";
  o.lease_name = "archway-live-" + suffix_;
  o.identity = "a";
  o.retry_period = 100ms;
  auto a = leader::make_leader_elector(*client_, o);
  a->start([] {}, [] {});
  ASSERT_TRUE(eventually([&] { return a->is_leader(); }));
  o.identity = "b";
  auto b = leader::make_leader_elector(*client_, o);
  b->start([] {}, [] {});
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(b->is_leader());
  a->stop();
  EXPECT_TRUE(eventually([&] { return b->is_leader(); }, 5s)) << "takeover after release";
  auto lease =
      client_->get("/apis/coordination.k8s.io/v1/namespaces/default/leases/" + o.lease_name);
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->body["spec"]["holderIdentity"], "b");
  EXPECT_EQ(lease->body["spec"]["leaseTransitions"], 1);
  b->stop();
  lease = client_->get("/apis/coordination.k8s.io/v1/namespaces/default/leases/" + o.lease_name);
  EXPECT_EQ(lease->body["spec"]["holderIdentity"], "");
  (void)client_->del("/apis/coordination.k8s.io/v1/namespaces/default/leases/" + o.lease_name);
}

TEST_F(LiveTest, IngressStatusAndEvents) {
  const std::string name = "archway-live-" + suffix_;
  auto created = client_->post(
      "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
      named(
          R"({"metadata":{},"spec":{"defaultBackend":{"service":{"name":"x","port":{"number":80}}}}})",
          name));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body.dump();
  auto writer = status::make_status_writer(*client_, "archway.dev/ingress-controller", "live-test");
  auto w = writer->write_ingress_load_balancer({"default", name}, {"10.1.2.3", "lb.example.com"});
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_TRUE(*w);
  w = writer->write_ingress_load_balancer({"default", name}, {"10.1.2.3", "lb.example.com"});
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(*w) << "second write is a no-op";
  auto got = client_->get("/apis/networking.k8s.io/v1/namespaces/default/ingresses/" + name);
  EXPECT_EQ(got->body["status"]["loadBalancer"]["ingress"][0]["ip"], "10.1.2.3");
  EXPECT_EQ(got->body["status"]["loadBalancer"]["ingress"][1]["hostname"], "lb.example.com");

  status::EventSpec e{"Ingress",
                      "networking.k8s.io/v1",
                      {"default", name},
                      created->body["metadata"]["uid"],
                      "Warning",
                      "BackendNotFound",
                      "Service default/x not found"};
  auto emitted = writer->emit_event(e);
  ASSERT_TRUE(emitted.ok()) << emitted.error().to_string();
  auto events = client_->get("/apis/events.k8s.io/v1/namespaces/default/events");
  ASSERT_TRUE(events.ok());
  int found = 0;
  for (const auto& ev : events->body["items"]) {
    if (ev["regarding"]["name"] == name && ev["reason"] == "BackendNotFound") ++found;
  }
  EXPECT_EQ(found, 1);
  (void)client_->del("/apis/networking.k8s.io/v1/namespaces/default/ingresses/" + name);
}

TEST_F(LiveTest, ApiRouteStatusWhenCrdInstalled) {
  auto crd = client_->get("/apis/archway.dev/v1alpha1");
  ASSERT_TRUE(crd.ok());
  if (crd->status != 200) GTEST_SKIP() << "APIRoute CRD not installed";
  const std::string name = "archway-live-" + suffix_;
  auto created =
      client_->post("/apis/archway.dev/v1alpha1/namespaces/default/apiroutes",
                    named(R"({"apiVersion":"archway.dev/v1alpha1","kind":"APIRoute","metadata":{},
                 "spec":{"rules":[{"name":"r","backends":[{"name":"svc","port":8080}]}]}})",
                          name));
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 201) << created->body.dump();
  auto writer = status::make_status_writer(*client_, "archway.dev/ingress-controller", "live-test");
  status::RouteStatus st;
  st.key = {"default", name};
  st.observed_generation = 1;
  st.conditions = {{"Accepted", true, "Accepted", "ok"}};
  auto w = writer->write_route_status(st);
  ASSERT_TRUE(w.ok()) << w.error().to_string();
  EXPECT_TRUE(*w);
  w = writer->write_route_status(st);
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(*w) << "unchanged: skipped";
  auto got = client_->get("/apis/archway.dev/v1alpha1/namespaces/default/apiroutes/" + name);
  EXPECT_EQ(got->body["status"]["conditions"][0]["type"], "Accepted");
  (void)client_->del("/apis/archway.dev/v1alpha1/namespaces/default/apiroutes/" + name);
}

}  // namespace
}  // namespace archway::controller

// InformerSet and its parts at the KubeClient seam: list -> watch -> 410 ->
// relist, paging, bookmarks, the optional APIRoute CRD, referenced Secrets
// fetched by name,
// namespaces, and Backoff bounds.

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "controller/informer/backoff.h"
#include "controller/informer/informer_set.h"
#include "controller/informer/kinds.h"
#include "controller/informer/store.h"
#include "mock_kube_client.h"

namespace archway::controller::informer {
namespace {

using namespace std::chrono_literals;
using ::testing::_;
using ::testing::HasSubstr;
using testing::http_list;
using testing::http_status;
using testing::k8s_object;
using testing::MockKubeClient;
using ::testing::NiceMock;

// Blocks a watch until the informer stops it.
Result<int> block_until_stopped(const std::function<bool()>& stop) {
  while (!stop()) std::this_thread::sleep_for(5ms);
  return 200;
}

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// Every kind lists empty and watches forever, unless a test overrides it.
void default_empty(NiceMock<MockKubeClient>& client) {
  ON_CALL(client, get(_)).WillByDefault([](const std::string&) {
    return http_list(nlohmann::json::array(), "1");
  });
  ON_CALL(client, watch(_, _, _))
      .WillByDefault([](const std::string&, const auto&, const std::function<bool()>& stop) {
        return block_until_stopped(stop);
      });
}

InformerOptions fast() {
  InformerOptions o;
  o.backoff_initial = 1ms;
  o.backoff_max = 20ms;
  return o;
}

TEST(InformerSet, ListWatchGoneRelistReplacesCache) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::atomic<int> lists{0};
  ON_CALL(client, get(::testing::StartsWith("/api/v1/services?")))
      .WillByDefault([&](const std::string&) {
        if (lists++ == 0) return http_list({k8s_object("shop", "a", "10")}, "10");
        return http_list({k8s_object("shop", "b", "20")}, "20");
      });
  std::mutex mu;
  std::vector<std::string> watch_paths;
  ON_CALL(client, watch(::testing::StartsWith("/api/v1/services?watch=1"), _, _))
      .WillByDefault([&](const std::string& path,
                         const std::function<void(const k8s::WatchEvent&)>& on_event,
                         const std::function<bool()>& stop) -> Result<int> {
        size_t n;
        {
          std::lock_guard lock(mu);
          watch_paths.push_back(path);
          n = watch_paths.size();
        }
        if (n == 1) {
          on_event({"ADDED", k8s_object("shop", "c", "11", {{"kind", "Service"}})});
          on_event({"BOOKMARK", k8s_object("", "", "12")});
          on_event({"ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}}});
          EXPECT_TRUE(stop()) << "an ERROR 410 must end the watch";
          return 200;
        }
        return block_until_stopped(stop);
      });

  auto informers = make_informer_set(client, fast());
  std::atomic<int> changes{0};
  informers->start([&] { ++changes; });
  ASSERT_TRUE(eventually([&] { return lists.load() >= 2 && informers->synced(); }));
  ASSERT_TRUE(eventually([&] {
    auto s = informers->state().services;
    return s.size() == 1 && s.count({"shop", "b"}) == 1;
  }));
  EXPECT_GE(changes.load(), 1);
  informers->stop();

  std::lock_guard lock(mu);
  ASSERT_GE(watch_paths.size(), 2u);
  EXPECT_THAT(watch_paths[0], HasSubstr("resourceVersion=10"));
  EXPECT_THAT(watch_paths[0], HasSubstr("allowWatchBookmarks=true"));
  EXPECT_THAT(watch_paths[0], HasSubstr("timeoutSeconds="));
  EXPECT_THAT(watch_paths[1], HasSubstr("resourceVersion=20"));
  // List items get apiVersion/kind; managedFields never reach the cache.
  auto svc = informers->state().services.at({"shop", "b"});
  EXPECT_EQ(svc->at("apiVersion"), "v1");
  EXPECT_EQ(svc->at("kind"), "Service");
}

TEST(InformerSet, WatchHttp410Relists) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::atomic<int> lists{0}, watches{0};
  ON_CALL(client, get(::testing::StartsWith("/apis/networking.k8s.io/v1/ingresses?")))
      .WillByDefault([&](const std::string&) {
        ++lists;
        return http_list(nlohmann::json::array(), "5");
      });
  ON_CALL(client, watch(::testing::StartsWith("/apis/networking.k8s.io/v1/ingresses?"), _, _))
      .WillByDefault(
          [&](const std::string&, const auto&, const std::function<bool()>& stop) -> Result<int> {
            if (watches++ == 0) return 410;
            return block_until_stopped(stop);
          });
  auto informers = make_informer_set(client, fast());
  informers->start([] {});
  EXPECT_TRUE(eventually([&] { return lists.load() == 2 && watches.load() == 2; }));
  informers->stop();
}

TEST(InformerSet, EventsAndBookmarksTrackResourceVersion) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::mutex mu;
  std::vector<std::string> paths;
  std::atomic<int> lists{0};
  ON_CALL(client, get(::testing::StartsWith("/apis/discovery.k8s.io/v1/endpointslices?")))
      .WillByDefault([&](const std::string&) {
        ++lists;
        return http_list(nlohmann::json::array(), "100");
      });
  ON_CALL(client, watch(::testing::StartsWith("/apis/discovery.k8s.io/v1/endpointslices?"), _, _))
      .WillByDefault([&](const std::string& path,
                         const std::function<void(const k8s::WatchEvent&)>& on_event,
                         const std::function<bool()>& stop) -> Result<int> {
        size_t n;
        {
          std::lock_guard lock(mu);
          paths.push_back(path);
          n = paths.size();
        }
        if (n == 1) {
          on_event({"ADDED", k8s_object("ns", "s1", "101", {{"managedFields", 1}})});
          on_event({"MODIFIED",
                    k8s_object("ns", "s1", "102", {{"endpoints", nlohmann::json::array()}})});
          on_event({"ADDED", k8s_object("ns", "s2", "103")});
          on_event({"DELETED", k8s_object("ns", "s2", "104")});
          on_event({"BOOKMARK", k8s_object("", "", "150")});
          return 200;  // the server ended the watch (timeoutSeconds)
        }
        if (n == 2) return Error{Error::Code::kUnavailable, "watch", "connection reset"};
        return block_until_stopped(stop);
      });
  auto informers = make_informer_set(client, fast());
  informers->start([] {});
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return paths.size() >= 3;
  }));
  const auto slices = informers->state().endpoint_slices;
  informers->stop();
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_TRUE(slices.at({"ns", "s1"})->contains("endpoints"));
  std::lock_guard lock(mu);
  EXPECT_THAT(paths[1], HasSubstr("resourceVersion=150"));  // from the bookmark
  EXPECT_THAT(paths[2], HasSubstr("resourceVersion=150"));  // a failed watch resumes, no relist
  EXPECT_EQ(lists.load(), 1);
}

TEST(InformerSet, PagesListsWithContinue) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::vector<std::string> paths;
  std::mutex mu;
  ON_CALL(client, get(::testing::StartsWith("/apis/networking.k8s.io/v1/ingressclasses?")))
      .WillByDefault([&](const std::string& path) {
        std::lock_guard lock(mu);
        paths.push_back(path);
        if (path.find("continue=") == std::string::npos) {
          return http_list({k8s_object("", "one", "3")}, "7", "tok/en=");
        }
        return http_list({k8s_object("", "two", "4")}, "7");
      });
  auto informers = make_informer_set(client, fast());
  informers->start([] {});
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  EXPECT_EQ(informers->state().ingress_classes.size(), 2u);
  informers->stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0], "/apis/networking.k8s.io/v1/ingressclasses?limit=500");
  EXPECT_EQ(paths[1], "/apis/networking.k8s.io/v1/ingressclasses?limit=500&continue=tok%2Fen%3D");
}

TEST(InformerSet, MissingCrdDoesNotBlockOtherKinds) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::atomic<int> route_lists{0};
  std::atomic<bool> crd_installed{false};
  ON_CALL(client, get(::testing::StartsWith("/apis/archway.dev/v1alpha1/apiroutes?")))
      .WillByDefault([&](const std::string&) {
        ++route_lists;
        if (!crd_installed) return http_status(404, "NotFound");
        return http_list({k8s_object("shop", "orders", "9")}, "9");
      });
  auto informers = make_informer_set(client, fast());
  std::atomic<int> changes{0};
  informers->start([&] { ++changes; });
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  EXPECT_TRUE(informers->state().api_routes.empty());
  ASSERT_TRUE(eventually([&] { return route_lists.load() >= 3; })) << "retries with backoff";
  crd_installed = true;
  EXPECT_TRUE(eventually([&] { return informers->state().api_routes.size() == 1; }));
  // The first sync and the route appearing. on_change runs after the cache
  // changed, so the count may trail what state() already shows.
  EXPECT_TRUE(eventually([&] { return changes.load() >= 2; })) << changes.load();
  informers->stop();
}

// An APIRoute in namespace a naming a TLS Secret, an API-key Secret, a
// service-account token by mistake, and a Secret of namespace b that b does
// not grant.
nlohmann::json route_naming_secrets() {
  return k8s_object(
      "a", "r", "1",
      {{"spec",
        {{"tls", {{"secretName", "tls"}}},
         {"defaults", {{"auth", {{"apiKey", {{"secretRef", {{"name", "keys"}}}}}}}}},
         {"rules",
          {{{"name", "x"}, {"auth", {{"jwt", {{"jwksSecretRef", {{"name", "sa"}}}}}}}},
           {{"name", "y"},
            {"auth", {{"jwt", {{"jwksSecretRef", {{"name", "jwks"}, {"namespace", "b"}}}}}}}}}}}}});
}

TEST(InformerSet, FetchesOnlyReferencedSecretsByNameNeverLists) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::mutex mu;
  std::vector<std::string> secret_paths;
  std::atomic<int> tls_version{1};
  ON_CALL(client, get(::testing::StartsWith("/apis/archway.dev/v1alpha1/apiroutes?")))
      .WillByDefault([](const std::string&) { return http_list({route_naming_secrets()}, "1"); });
  ON_CALL(client, get(::testing::HasSubstr("/secrets")))
      .WillByDefault([&](const std::string& path) -> Result<k8s::HttpResult> {
        {
          std::lock_guard lock(mu);
          secret_paths.push_back(path);
        }
        if (path == "/api/v1/namespaces/a/secrets/tls") {
          const std::string v = std::to_string(tls_version.load());
          return testing::http(
              200, k8s_object("a", "tls", v,
                              {{"type", "kubernetes.io/tls"}, {"data", {{"tls.crt", v}}}}));
        }
        if (path == "/api/v1/namespaces/a/secrets/keys") {
          return testing::http(200, k8s_object("a", "keys", "1", {{"type", "Opaque"}}));
        }
        if (path == "/api/v1/namespaces/a/secrets/sa") {
          return testing::http(
              200, k8s_object("a", "sa", "1", {{"type", "kubernetes.io/service-account-token"}}));
        }
        return http_status(404, "NotFound");
      });
  InformerOptions options = fast();
  options.secret_refresh = 50ms;
  auto informers = make_informer_set(client, options);
  informers->start([] {});
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  auto secrets = informers->state().secrets;
  // Synced means the referenced Secrets are in: no route sees a false "not found".
  EXPECT_EQ(secrets.size(), 2u);
  EXPECT_EQ(secrets.count({"a", "tls"}), 1u);
  EXPECT_EQ(secrets.count({"a", "keys"}), 1u);  // a service-account token is not kept

  // Rotation: the next refresh brings the new data in.
  tls_version = 2;
  EXPECT_TRUE(eventually([&] {
    auto s = informers->state().secrets;
    auto it = s.find({"a", "tls"});
    return it != s.end() &&
           it->second->value("data", nlohmann::json::object()).value("tls.crt", "") == "2";
  }));
  informers->stop();
  std::lock_guard lock(mu);
  for (const auto& path : secret_paths) {
    EXPECT_THAT(path, ::testing::StartsWith("/api/v1/namespaces/a/secrets/")) << "listed or "
                                                                                 "fetched an "
                                                                                 "ungranted one";
  }
}

TEST(InformerSet, GrantedCrossNamespaceSecretIsFetchedAsSoonAsGranted) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::atomic<bool> granted{false};
  ON_CALL(client, get(::testing::StartsWith("/apis/archway.dev/v1alpha1/apiroutes?")))
      .WillByDefault([](const std::string&) { return http_list({route_naming_secrets()}, "1"); });
  ON_CALL(client, get(::testing::HasSubstr("/secrets/")))
      .WillByDefault([](const std::string& path) -> Result<k8s::HttpResult> {
        if (path == "/api/v1/namespaces/b/secrets/jwks") {
          return testing::http(200, k8s_object("b", "jwks", "1", {{"type", "Opaque"}}));
        }
        return http_status(404, "NotFound");
      });
  ON_CALL(client, watch(::testing::StartsWith("/apis/archway.dev/v1alpha1/referencegrants?"), _, _))
      .WillByDefault([&](const std::string&,
                         const std::function<void(const k8s::WatchEvent&)>& on_event,
                         const std::function<bool()>& stop) -> Result<int> {
        while (!granted && !stop()) std::this_thread::sleep_for(5ms);
        on_event({"ADDED", k8s_object("b", "g", "2",
                                      {{"kind", "ReferenceGrant"},
                                       {"spec",
                                        {{"from", {{{"kind", "APIRoute"}, {"namespace", "a"}}}},
                                         {"to", {{{"kind", "Secret"}}}}}}})});
        return block_until_stopped(stop);
      });
  InformerOptions options = fast();
  options.secret_refresh = 1h;  // a grant must be acted on at once, not at the next refresh
  auto informers = make_informer_set(client, options);
  informers->start([] {});
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  EXPECT_EQ(informers->state().secrets.count({"b", "jwks"}), 0u);
  granted = true;
  EXPECT_TRUE(eventually([&] { return informers->state().secrets.count({"b", "jwks"}) == 1; }));
  informers->stop();
}

TEST(InformerSet, NamespacesOptionListsPerNamespace) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::mutex mu;
  std::set<std::string> paths;
  ON_CALL(client, get(_)).WillByDefault([&](const std::string& path) {
    std::lock_guard lock(mu);
    paths.insert(path.substr(0, path.find('?')));
    return http_list(nlohmann::json::array(), "1");
  });
  InformerOptions options = fast();
  options.namespaces = {"a", "b"};
  auto informers = make_informer_set(client, options);
  informers->start([] {});
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  informers->stop();
  std::lock_guard lock(mu);
  EXPECT_EQ(paths.size(), 11u);  // 5 namespaced kinds x 2 + IngressClass
  EXPECT_EQ(paths.count("/apis/networking.k8s.io/v1/ingressclasses"), 1u);
  EXPECT_EQ(paths.count("/api/v1/namespaces/a/services"), 1u);
  EXPECT_EQ(paths.count("/apis/archway.dev/v1alpha1/namespaces/b/apiroutes"), 1u);
}

TEST(InformerSet, ListFailuresBackOffAndSyncLater) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  std::atomic<int> attempts{0};
  ON_CALL(client, get(::testing::StartsWith("/api/v1/services?")))
      .WillByDefault([&](const std::string&) -> Result<k8s::HttpResult> {
        if (attempts++ < 3) return Error{Error::Code::kUnavailable, "get", "refused"};
        return http_list(nlohmann::json::array(), "1");
      });
  auto informers = make_informer_set(client, fast());
  informers->start([] {});
  EXPECT_TRUE(eventually([&] { return informers->synced(); }));
  EXPECT_EQ(attempts.load(), 4);
  informers->stop();
}

TEST(InformerSet, StopIsPrompt) {
  NiceMock<MockKubeClient> client;
  default_empty(client);
  auto informers = make_informer_set(client, fast());
  informers->start([] {});
  ASSERT_TRUE(eventually([&] { return informers->synced(); }));
  const auto t0 = std::chrono::steady_clock::now();
  informers->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
}

TEST(Store, ReplaceOneNamespaceLeavesOthers) {
  Store store;
  ObjectMap both = {{{"a", "x"}, nlohmann::json(1)}, {{"b", "y"}, nlohmann::json(2)}};
  EXPECT_TRUE(store.replace(&ClusterState::services, "", both));
  EXPECT_FALSE(store.replace(&ClusterState::services, "", both));
  EXPECT_TRUE(store.replace(&ClusterState::services, "a", {{{"a", "z"}, nlohmann::json(3)}}));
  EXPECT_FALSE(store.replace(&ClusterState::services, "a", {{{"a", "z"}, nlohmann::json(3)}}));
  const auto s = store.copy().services;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.at({"a", "z"}).json(), 3);
  EXPECT_EQ(s.at({"b", "y"}).json(), 2);
}

TEST(Backoff, GrowsWithJitterWithinBounds) {
  Backoff b(100ms, 30s, 42);
  for (int i = 0; i < 40; ++i) {
    const auto d = b.next();
    EXPECT_GE(d, 100ms);
    EXPECT_LE(d, 30s);
    if (i < 8) {  // doubling: the floor of step n is 100ms * 2^n
      EXPECT_GE(d, std::chrono::milliseconds(100 << i));
      EXPECT_LT(d, std::chrono::milliseconds(150 << i));
    }
    if (i > 12) {
      EXPECT_EQ(d, 30s);
    }
  }
  b.reset();
  EXPECT_LT(b.next(), 150ms);
}

TEST(Backoff, JitterDiffersBetweenSeeds) {
  Backoff a(100ms, 30s, 1), b(100ms, 30s, 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ |= a.next() != b.next();
  EXPECT_TRUE(differ);
}

}  // namespace
}  // namespace archway::controller::informer

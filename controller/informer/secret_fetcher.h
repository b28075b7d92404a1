#pragma once
// The Secrets the routes name, fetched one by one (GET by name), never listed
// or watched: the controller's ServiceAccount needs only `get` on Secrets,
// and its cache holds only what a route references (docs/scale.md "Least
// privilege", docs/decisions.md issue 18).
//
// run() loops on its own thread until stop():
//   - the wanted set is compile::referenced_secrets() of the Store, computed
//     under the Store's lock (no copy of the world);
//   - on a wake-up (a route or a ReferenceGrant changed) only the names not
//     fetched yet are fetched, and Secrets no longer named are dropped;
//   - every `refresh` interval every wanted Secret is fetched again, which is
//     how a rotation is seen: within `refresh` plus one pass of GETs.
// A 404 (or 403) drops the Secret from the cache (the route then reports
// SecretNotFound); a failed request keeps what was cached and is retried on
// the next pass.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "controller/informer/store.h"
#include "controller/k8s/kube_client.h"

namespace archway::controller::informer {

struct SecretFetcherConfig {
  std::vector<std::string> namespaces;  // empty: any namespace a route names
  std::chrono::milliseconds refresh{10000};
  // True once the kinds the wanted set is computed from (Ingress, APIRoute,
  // ReferenceGrant) completed their first list: before, the set would be
  // partial and the first sync would report Secrets missing.
  std::function<bool()> sources_synced;
};

class SecretFetcher {
 public:
  // on_synced: after the first complete pass. on_changed: after a pass that
  // changed the cache. Both run on run()'s thread.
  SecretFetcher(k8s::KubeClient& client, Store& store, SecretFetcherConfig config,
                std::function<void()> on_synced, std::function<void()> on_changed);
  void run();
  // Asks for a pass soon (coalesced: many wakes during a pass give one more).
  void wake();
  void stop();

 private:
  enum class Fetched { kUnchanged, kChanged, kFailed };
  bool wait_for_work(std::chrono::steady_clock::time_point next_full);
  bool stopping();
  [[nodiscard]] std::set<ObjectKey> wanted() const;
  Fetched fetch(const ObjectKey& key);

  k8s::KubeClient& client_;
  Store& store_;
  const SecretFetcherConfig config_;
  std::function<void()> on_synced_, on_changed_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopped_ = false;
};

}  // namespace archway::controller::informer

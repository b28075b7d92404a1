#pragma once
// One list + watch loop for one kind in one namespace scope (client-go's
// Reflector). run() blocks on the calling thread until the StopSignal fires:
//   list (paged) -> replace that scope of the Store -> watch from the list's
//   resourceVersion with bookmarks -> apply events, track resourceVersion ->
//   re-watch when the server ends the watch -> relist on 410 Gone.
// Every failure waits Backoff::next(); a successful list or a watch that
// delivered events resets the backoff.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/result.h"
#include "controller/informer/backoff.h"
#include "controller/informer/kinds.h"
#include "controller/informer/store.h"
#include "controller/k8s/kube_client.h"
#include "controller/k8s/stop_signal.h"

namespace archway::controller::informer {

struct ReflectorConfig {
  const KindSpec* kind = nullptr;  // points into controller_kinds() (static)
  std::string ns;                  // empty: all namespaces (or cluster-scoped)
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{30000};
  uint64_t seed = 0;
  int page_size = 500;
  // Server-side watch length: min + random [0, jitter) seconds, so that the
  // watches of many replicas do not all reconnect at once.
  int watch_timeout_min_s = 180;
  int watch_timeout_jitter_s = 120;
};

class Reflector {
 public:
  // on_synced: after each successful (re)list. on_changed: after any cache
  // change. Both run on the reflector's thread. client, store and stop must
  // outlive run().
  Reflector(k8s::KubeClient& client, Store& store, k8s::StopSignal& stop, ReflectorConfig config,
            std::function<void()> on_synced, std::function<void()> on_changed);
  void run();

 private:
  enum class WatchEnd {
    kClosed,   // the server ended the watch normally: re-watch from rv
    kExpired,  // 410 Gone: relist
    kFailed,   // back off, then re-watch from rv
  };
  struct ListOutcome {
    ObjectMap objects;
    std::string resource_version;
  };
  Result<ListOutcome> list();
  WatchEnd watch(std::string& resource_version, bool& delivered);
  void apply(const std::string& type, const nlohmann::json& object);
  [[nodiscard]] nlohmann::json normalized(nlohmann::json object) const;

  k8s::KubeClient& client_;
  Store& store_;
  k8s::StopSignal& stop_;
  const ReflectorConfig config_;
  const std::string path_;
  const std::string api_version_;
  std::function<void()> on_synced_, on_changed_;
  Backoff backoff_;
  std::mt19937 rng_;
};

}  // namespace archway::controller::informer

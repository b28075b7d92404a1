#pragma once
// List + watch caches of every kind the controller reads, filling a
// ClusterState (controller/model/cluster_state.h). Each kind runs on its own
// thread: list (paged), then watch from the list's resourceVersion with
// allowWatchBookmarks=true; on 410 Gone (or an ERROR event with code 410) it
// relists and replaces that kind's cache; every failure backs off
// exponentially with jitter (100 ms .. 30 s). Secrets are neither listed nor
// watched: the ones routes name are fetched by name (secret_fetcher.h), at
// once when a route names a new one and all again every secret_refresh.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "controller/k8s/kube_client.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::informer {

struct InformerOptions {
  std::vector<std::string> namespaces;  // empty: all namespaces
  // Failure backoff bounds (tests shorten them).
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{30000};
  // Every referenced Secret is fetched again this often (rotation bound).
  std::chrono::milliseconds secret_refresh{10000};
};

class InformerSet {
 public:
  virtual ~InformerSet() = default;
  // Starts all informers; `on_change` is called (from an informer thread) after
  // any cache change, and once all kinds have synced for the first time. It is
  // not called before that first full sync (the consumer needs a complete
  // view), and it may be called concurrently from several informer threads:
  // the consumer debounces. Call start() once.
  virtual void start(std::function<void()> on_change) = 0;
  // Stops and joins every informer thread (returns within ~1 s; a watch in
  // flight is cancelled). Idempotent; also done by the destructor.
  virtual void stop() = 0;
  // True once every kind completed its first list.
  [[nodiscard]] virtual bool synced() const = 0;
  // A consistent copy of all caches (taken under the set's lock).
  [[nodiscard]] virtual ClusterState state() const = 0;
};

[[nodiscard]] std::unique_ptr<InformerSet> make_informer_set(k8s::KubeClient& client,
                                                             InformerOptions options);

}  // namespace archway::controller::informer

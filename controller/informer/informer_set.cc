// InformerSet: one Reflector thread per (kind, namespace scope) and one
// SecretFetcher thread, all filling one Store. See informer_set.h for the
// contract.

#include <atomic>
#include <random>
#include <thread>

#include "controller/informer/informer_set.h"
#include "controller/informer/reflector.h"
#include "controller/informer/secret_fetcher.h"
#include "controller/informer/store.h"

namespace archway::controller::informer {
namespace {

// The kinds the referenced Secrets are computed from: a change to one of
// them may name a Secret not fetched yet.
bool names_secrets(const KindSpec& kind) {
  return kind.member == &ClusterState::ingresses || kind.member == &ClusterState::api_routes ||
         kind.member == &ClusterState::reference_grants;
}

class InformerSetImpl final : public InformerSet {
 public:
  InformerSetImpl(k8s::KubeClient& client, InformerOptions options)
      : client_(client), options_(std::move(options)) {}
  ~InformerSetImpl() override { stop(); }

  void start(std::function<void()> on_change) override {
    on_change_ = std::move(on_change);
    std::random_device seed_source;
    std::vector<ReflectorConfig> configs;
    for (const KindSpec& kind : controller_kinds()) {
      std::vector<std::string> scopes{""};
      if (kind.namespaced && !options_.namespaces.empty()) scopes = options_.namespaces;
      for (const std::string& ns : scopes) {
        ReflectorConfig config;
        config.kind = &kind;
        config.ns = ns;
        config.backoff_initial = options_.backoff_initial;
        config.backoff_max = options_.backoff_max;
        config.seed = (uint64_t{seed_source()} << 32) | seed_source();
        configs.push_back(std::move(config));
      }
    }
    // One flag per reflector, and the last one for the Secret fetcher.
    synced_flags_ = std::make_unique<std::atomic<bool>[]>(configs.size() + 1);
    remaining_ = static_cast<int>(configs.size() + 1);
    for (const auto& config : configs) sources_remaining_ += names_secrets(*config.kind) ? 1 : 0;
    SecretFetcherConfig fetcher_config;
    fetcher_config.namespaces = options_.namespaces;
    fetcher_config.refresh = options_.secret_refresh;
    fetcher_config.sources_synced = [this] { return sources_remaining_.load() == 0; };
    fetcher_ = std::make_unique<SecretFetcher>(
        client_, store_, std::move(fetcher_config), [this, i = configs.size()] { mark_synced(i); },
        [this] { changed(); });
    for (size_t i = 0; i < configs.size(); ++i) {
      const bool source = names_secrets(*configs[i].kind);
      reflectors_.push_back(std::make_unique<Reflector>(
          client_, store_, stop_, std::move(configs[i]),
          [this, i, source] {
            if (mark_synced(i) && source) sources_remaining_.fetch_sub(1);
          },
          [this, source] {
            if (source) fetcher_->wake();
            changed();
          }));
    }
    for (auto& reflector : reflectors_) {
      threads_.emplace_back([r = reflector.get()] { r->run(); });
    }
    threads_.emplace_back([f = fetcher_.get()] { f->run(); });
  }

  void stop() override {
    stop_.stop();
    if (fetcher_) fetcher_->stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

  [[nodiscard]] bool synced() const override {
    return remaining_.load() == 0 && !reflectors_.empty();
  }

  [[nodiscard]] ClusterState state() const override { return store_.copy(); }

 private:
  // True the first time index i synced.
  bool mark_synced(size_t i) {
    if (synced_flags_[i].exchange(true)) return false;
    if (remaining_.fetch_sub(1) == 1 && on_change_) on_change_();  // the first full sync
    return true;
  }

  void changed() {
    if (remaining_.load() == 0 && on_change_) on_change_();
  }

  k8s::KubeClient& client_;
  const InformerOptions options_;
  Store store_;
  k8s::StopSignal stop_;
  std::function<void()> on_change_;  // set before the threads start; read-only after
  std::unique_ptr<std::atomic<bool>[]> synced_flags_;
  std::atomic<int> remaining_{0};
  std::atomic<int> sources_remaining_{0};  // Ingress/APIRoute/ReferenceGrant scopes not synced yet
  std::unique_ptr<SecretFetcher> fetcher_;
  std::vector<std::unique_ptr<Reflector>> reflectors_;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<InformerSet> make_informer_set(k8s::KubeClient& client, InformerOptions options) {
  return std::make_unique<InformerSetImpl>(client, std::move(options));
}

}  // namespace archway::controller::informer

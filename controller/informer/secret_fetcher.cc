#include "controller/informer/secret_fetcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "controller/compile/referenced_secrets.h"
#include "controller/informer/kinds.h"

namespace archway::controller::informer {
namespace {

// Only what compile reads: a Secret of another type (a service-account
// token, a Helm release) named by mistake is not kept in memory.
bool usable_secret(const nlohmann::json& secret) {
  const auto it = secret.find("type");
  if (it == secret.end() || !it->is_string()) return true;  // type defaults to Opaque
  const auto& type = it->get_ref<const std::string&>();
  return type.empty() || type == "Opaque" || type == "kubernetes.io/tls";
}

// While the sources are not synced yet, look again this often.
constexpr std::chrono::milliseconds kSyncPoll{50};

}  // namespace

SecretFetcher::SecretFetcher(k8s::KubeClient& client, Store& store, SecretFetcherConfig config,
                             std::function<void()> on_synced, std::function<void()> on_changed)
    : client_(client),
      store_(store),
      config_(std::move(config)),
      on_synced_(std::move(on_synced)),
      on_changed_(std::move(on_changed)) {}

void SecretFetcher::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void SecretFetcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

bool SecretFetcher::wait_for_work(std::chrono::steady_clock::time_point next_full) {
  std::unique_lock lock(mu_);
  cv_.wait_until(lock, next_full, [this] { return woken_ || stopped_; });
  woken_ = false;
  return !stopped_;
}

bool SecretFetcher::stopping() {
  std::lock_guard lock(mu_);
  return stopped_;
}

std::set<ObjectKey> SecretFetcher::wanted() const {
  auto keys =
      store_.read([](const ClusterState& state) { return compile::referenced_secrets(state); });
  if (config_.namespaces.empty()) return keys;
  std::erase_if(keys, [&](const ObjectKey& key) {
    return std::find(config_.namespaces.begin(), config_.namespaces.end(), key.ns) ==
           config_.namespaces.end();
  });
  return keys;
}

SecretFetcher::Fetched SecretFetcher::fetch(const ObjectKey& key) {
  const std::string path =
      "/api/v1/namespaces/" + query_escape(key.ns) + "/secrets/" + query_escape(key.name);
  auto got = client_.get(path);
  if (!got.ok()) {
    spdlog::warn("Secret {}: get failed: {}", key.to_string(), got.error().to_string());
    return Fetched::kFailed;
  }
  if (got->status == 200 && got->body.is_object() && usable_secret(got->body)) {
    return store_.upsert(&ClusterState::secrets, key, trimmed(std::move(got->body)))
               ? Fetched::kChanged
               : Fetched::kUnchanged;
  }
  if (got->status == 403) {
    // The chart grants `get` on Secrets wherever routes may be; a refusal
    // is an installation problem worth a line, and reads as "absent".
    spdlog::warn("Secret {}: get forbidden (RBAC): {}", key.to_string(),
                 got->body.is_object() ? got->body.value("message", "") : "");
  } else if (got->status != 200 && got->status != 404) {
    spdlog::warn("Secret {}: get answered {}", key.to_string(), got->status);
    return Fetched::kFailed;
  }
  return store_.remove(&ClusterState::secrets, key) ? Fetched::kChanged : Fetched::kUnchanged;
}

void SecretFetcher::run() {
  using Clock = std::chrono::steady_clock;
  std::set<ObjectKey> fetched;  // got once since they became wanted
  bool synced = false;
  Clock::time_point next_full = Clock::now();
  for (;;) {
    const auto deadline = config_.sources_synced() ? next_full : Clock::now() + kSyncPoll;
    if (!wait_for_work(deadline)) return;
    if (!config_.sources_synced()) continue;
    const bool full = !synced || Clock::now() >= next_full;
    if (full) next_full = Clock::now() + config_.refresh;
    const std::set<ObjectKey> want = wanted();
    bool changed = false;
    // Secrets no longer named leave the cache (and the set fetched once).
    const auto cached = store_.read([](const ClusterState& state) {
      std::vector<ObjectKey> keys;
      for (const auto& [key, secret] : state.secrets) keys.push_back(key);
      return keys;
    });
    for (const ObjectKey& key : cached) {
      if (!want.count(key)) changed |= store_.remove(&ClusterState::secrets, key);
    }
    std::erase_if(fetched, [&](const ObjectKey& key) { return !want.count(key); });
    for (const ObjectKey& key : want) {
      if (stopping()) return;
      if (!full && fetched.count(key)) continue;
      const Fetched outcome = fetch(key);
      if (outcome == Fetched::kChanged) changed = true;
      if (outcome != Fetched::kFailed) fetched.insert(key);
    }
    if (!synced) {
      synced = true;
      on_synced_();
    }
    if (changed) on_changed_();
  }
}

}  // namespace archway::controller::informer

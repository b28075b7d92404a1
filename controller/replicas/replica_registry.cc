#include "controller/replicas/replica_registry.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace archway::controller::replicas {
namespace {

std::string http_problem(const char* what, const k8s::HttpResult& r) {
  return std::string(what) + ": HTTP " + std::to_string(r.status);
}

}  // namespace

ReplicaRegistry::ReplicaRegistry(k8s::KubeClient& client, RegistryOptions options,
                                 std::function<void()> on_change)
    : client_(client),
      options_(std::move(options)),
      lease_name_(replica_lease_name(options_.base_name, options_.identity)),
      on_change_(std::move(on_change)) {
  mine_.identity = options_.identity;
  mine_.lease_duration_s = static_cast<int>(std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration).count()));
}

ReplicaRegistry::~ReplicaRegistry() { stop(); }

void ReplicaRegistry::start() {
  thread_ = std::thread([this] { loop(); });
}

void ReplicaRegistry::stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  auto deleted = client_.del(collection() + "/" + lease_name_);
  if (!deleted) spdlog::debug("replica lease {}: {}", lease_name_, deleted.error().to_string());
}

void ReplicaRegistry::report(std::string digest, ProxyState state, std::string message) {
  {
    std::lock_guard lock(mu_);
    if (mine_.digest == digest && mine_.state == state && mine_.message == message) return;
    mine_.digest = std::move(digest);
    mine_.state = state;
    mine_.message = std::move(message);
    dirty_ = true;
  }
  cv_.notify_all();
}

std::vector<ReplicaReport> ReplicaRegistry::peers() const {
  std::lock_guard lock(mu_);
  return peers_;
}

std::string ReplicaRegistry::collection() const {
  return "/apis/coordination.k8s.io/v1/namespaces/" + options_.ns + "/leases";
}

void ReplicaRegistry::loop() {
  // A third of the lease, as client-go renews: two beats may fail before
  // the others stop counting this replica.
  const auto beat = std::max(std::chrono::milliseconds(200), options_.lease_duration / 3);
  auto next_renew = std::chrono::steady_clock::now();
  for (;;) {
    ReplicaReport mine;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_renew, [&] { return stop_ || dirty_; });
      if (stop_) return;
      dirty_ = false;
      mine = mine_;
    }
    mine.renewed = options_.now ? options_.now() : std::chrono::system_clock::now();
    renew(mine);
    list_peers();
    next_renew = std::chrono::steady_clock::now() + beat;
  }
}

void ReplicaRegistry::renew(const ReplicaReport& mine) {
  const std::string path = collection() + "/" + lease_name_;
  nlohmann::json lease = replica_lease(mine, options_.ns, lease_name_, options_.base_name);
  auto got = client_.get(path);
  if (!got) {
    spdlog::warn("replica lease {}: {}", lease_name_, got.error().to_string());
    return;
  }
  Result<k8s::HttpResult> written = k8s::HttpResult{};
  if (got->status == 404) {
    written = client_.post(collection(), lease);
  } else if (got->status == 200) {
    // Replace with the read resourceVersion: a lost race (409) is retried
    // on the next beat.
    lease["metadata"]["resourceVersion"] =
        got->body.value("metadata", nlohmann::json::object()).value("resourceVersion", "");
    written = client_.put(path, lease);
  } else {
    spdlog::warn("replica lease {}: {}", lease_name_, http_problem("get", *got));
    return;
  }
  if (!written) {
    spdlog::warn("replica lease {}: {}", lease_name_, written.error().to_string());
  } else if (written->status >= 300) {
    spdlog::warn("replica lease {}: {}", lease_name_, http_problem("write", *written));
  }
}

void ReplicaRegistry::list_peers() {
  const std::string selector = std::string(kReplicaOfLabel) + "%3D" + options_.base_name;
  auto listed = client_.get(collection() + "?labelSelector=" + selector);
  if (!listed || listed->status != 200) {
    if (!listed) {
      spdlog::warn("replica leases: {}", listed.error().to_string());
    } else {
      spdlog::warn("replica leases: {}", http_problem("list", *listed));
    }
    return;
  }
  const auto now = options_.now ? options_.now() : std::chrono::system_clock::now();
  std::vector<ReplicaReport> peers;
  for (const auto& item : listed->body.value("items", nlohmann::json::array())) {
    auto report = parse_replica_lease(item);
    if (!report || report->identity == options_.identity) continue;
    if (live(*report, now)) {
      peers.push_back(std::move(*report));
    } else if (report->renewed + 3 * std::chrono::seconds(report->lease_duration_s) < now) {
      // Its replica is gone: nobody else will remove it.
      const std::string name = item.value("metadata", nlohmann::json::object()).value("name", "");
      if (!name.empty()) (void)client_.del(collection() + "/" + name);
    }
  }
  std::sort(peers.begin(), peers.end(),
            [](const ReplicaReport& a, const ReplicaReport& b) { return a.identity < b.identity; });
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    // Renewal times move every beat; only what status reads counts as a change.
    auto same = [](const ReplicaReport& a, const ReplicaReport& b) {
      return a.identity == b.identity && a.digest == b.digest && a.state == b.state &&
             a.message == b.message;
    };
    changed = !std::equal(peers.begin(), peers.end(), peers_.begin(), peers_.end(), same);
    peers_ = std::move(peers);
  }
  if (changed && on_change_) on_change_();
}

}  // namespace archway::controller::replicas

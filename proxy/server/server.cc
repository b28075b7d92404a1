#include "proxy/server/server.h"
#include "proxy/metrics/openmetrics.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <future>
#include <set>

#include "proxy/config/snapshot_parser.h"
#include "proxy/filters/auth/auth.h"
#include "proxy/identity/sha256.h"
#include "proxy/metrics/prometheus.h"
#include "proxy/server/cache_metrics.h"
#include "proxy/server/health_metrics.h"
#include "proxy/server/jwks_metrics.h"
#include "proxy/server/ratelimit_metrics.h"
#include "proxy/server/ratelimit_state.h"
#include "proxy/server/resilience_metrics.h"

namespace archway::server {

namespace {

std::string listener_key(const config::Listener& l) {
  return l.name + "|" + l.address + "|" + std::to_string(l.port) + (l.tls ? "|tls" : "|tcp");
}

// Hands the heap's free pages back to the kernel. A snapshot's parse tree
// and the table it replaces are freed in many small blocks that glibc keeps
// (measured with 10k routes: RSS 77 MiB without this, 26 MiB with it). Once
// per applied snapshot on the control thread, never on the request path.
void release_freed_memory() { ::malloc_trim(0); }

// The clusters of a table that have a health check, for the prober.
std::vector<health::ProbeTarget> probe_targets(const exchange::TableContext& table) {
  std::vector<health::ProbeTarget> out;
  for (const auto& [name, info] : table.clusters) {
    if (!info.cluster->health_check || !info.resilience.health) continue;
    out.push_back({name, info.endpoints, *info.cluster->health_check, info.resilience.health});
  }
  return out;
}

// A bound, listening socket with SO_REUSEPORT so each worker has its own
// accept queue and the kernel spreads connections across them.
Result<int> open_listen_socket(const config::Listener& l, const std::string& field) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, l.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(l.port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, l.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(l.port);
    len = sizeof *v6;
  } else {
    return invalid(field + ".address", "not an IP address: " + l.address);
  }
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return invalid(field, std::string("socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 1024) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return invalid(field,
                   "cannot listen on " + l.address + ":" + std::to_string(l.port) + ": " + why);
  }
  return fd;
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (options_.workers == 0) options_.workers = 1;
  for (size_t i = 0; i < options_.workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(
        i, options_.on_loop_exception, options_.metrics_label_limit, options_.request_metrics));
    workers_.back()->access_log().attach(options_.access_log.get());
    workers_.back()->set_tracer(options_.tracer.get());
  }
  if (options_.state_dir) store_.emplace(*options_.state_dir);
  policy_state_.trusted_hops = options_.ratelimit.trusted_hops;
  policy_state_.limits.set_max_keys_per_limit(options_.ratelimit.max_keys);
  if (options_.state_dir) {
    // Local quotas' debts from the last run; a bad file means full buckets.
    if (auto debts = load_rate_limit_debts(*options_.state_dir); debts.ok()) {
      policy_state_.limits.restore_when_made(std::move(*debts));
    } else {
      spdlog::warn("rate limits: {} ignored: {}", kRateLimitStateFile, debts.error().to_string());
    }
  }
  if (options_.ratelimit.global) {
    policy_state_.global = std::make_unique<ratelimit::GlobalLimiter>(*options_.ratelimit.global);
  }
  if (options_.cache_max_bytes > 0) {
    policy_state_.cache_store = std::make_shared<cache::Store>(options_.cache_max_bytes);
  }
}

Server::~Server() { stop(); }

void Server::start() {
  for (auto& w : workers_) w->start();
}

void Server::stop() {
  persist();
  // Redis answers are posted to the workers' loops: none may come once
  // those are gone.
  if (policy_state_.global) policy_state_.global->stop();
  prober_.stop();
  for (auto& w : workers_) w->stop_and_join();
  // Once no worker counts any more: what Local limits still owe survives.
  if (options_.state_dir && !debts_saved_) {
    debts_saved_ = true;
    const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (auto saved = save_rate_limit_debts(*options_.state_dir, policy_state_.limits.debts(now));
        !saved.ok()) {
      spdlog::warn("rate limits: not saved: {}", saved.error().to_string());
    }
  }
}

Result<std::string> Server::apply_text(std::string_view text) {
  Result<std::string> applied = [&]() -> Result<std::string> {
    auto snapshot = config::parse_snapshot(text);
    if (!snapshot.ok()) return snapshot.error();
    return apply(*snapshot);
  }();
  // The parsed snapshot is gone now; the workers have (almost always) swapped
  // tables already, releasing the old one unless requests still pin it.
  if (applied.ok()) release_freed_memory();
  return applied;
}

Result<bool> Server::load_state() {
  if (!store_) return false;
  auto loaded = store_->load();
  if (!loaded.ok()) return loaded.error();
  if (!loaded->has_value()) return false;
  auto applied = apply(**loaded);
  if (!applied.ok()) return applied.error();
  loaded->reset();  // free the snapshot before trimming
  release_freed_memory();
  return true;
}

Result<std::string> Server::apply(const config::ValidatedSnapshot& validated) {
  const config::Snapshot& snapshot = validated.snapshot();
  std::lock_guard lock(mu_);
  const auto started = std::chrono::steady_clock::now();
  if (draining_) return Error{Error::Code::kUnavailable, "", "draining"};
  auto table = exchange::build_table_context_with_state(validated, generation_ + 1, policy_state_);
  if (!table.ok()) return table.error();
  // Listeners first: a port we cannot bind rejects the snapshot.
  std::map<std::string, config::Listener> wanted;
  for (const auto& l : snapshot.listeners) wanted.emplace(listener_key(l), l);
  std::vector<std::pair<std::string, std::vector<int>>> opened;
  for (size_t i = 0; i < snapshot.listeners.size(); ++i) {
    const auto& l = snapshot.listeners[i];
    const std::string key = listener_key(l);
    if (listeners_.contains(key)) continue;
    std::vector<int> fds;
    for (size_t w = 0; w < workers_.size(); ++w) {
      auto fd = open_listen_socket(l, "listeners[" + std::to_string(i) + "]");
      if (!fd.ok()) {
        for (int f : fds) ::close(f);
        for (auto& [k, list] : opened) {
          for (int f : list) ::close(f);
        }
        return fd.error();
      }
      fds.push_back(*fd);
    }
    opened.emplace_back(key, std::move(fds));
  }
  // Commit: the table first, so new listeners' connections see it.
  ++generation_;
  for (auto& w : workers_) w->post_table(*table);
  prober_.update(probe_targets(**table));
  if (!workers_.empty()) {
    // Keys for the new table's jwksUris before its first request; the
    // fetch runs on a worker's loop, with that worker's client.
    Worker* w = workers_.front().get();
    boost::asio::post(w->io(),
                      [this, w] { filters::prefetch_jwks(policy_state_, w->http_client()); });
  }
  for (auto& [key, fds] : opened) {
    const bool tls = wanted.at(key).tls;
    for (size_t w = 0; w < workers_.size(); ++w) workers_[w]->post_listener_add(key, tls, fds[w]);
  }
  for (const auto& [key, l] : listeners_) {
    if (!wanted.contains(key)) {
      for (auto& w : workers_) w->post_listener_remove(key);
    }
  }
  listeners_ = std::move(wanted);
  // Entries of removed or changed cache rules can never be asked for again
  // (their fingerprint is in the key): free their bytes now. A request
  // still running on the old table may store one more; LRU ages it out.
  if (policy_state_.cache_store) policy_state_.cache_store->retain((*table)->cache_fingerprints);
  version_ = snapshot.version;
  // Hashing and persisting wait for persist(): the ACK does not wait for a
  // serialisation and an fsync (docs/scale.md).
  unpersisted_ = validated.shared();
  live_ = true;
  apply_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("snapshot {} live ({} routes, {} listeners, {:.1f} ms)", version_,
               (*table)->table->size(), listeners_.size(), apply_seconds_ * 1000);
  return version_;
}

void Server::persist() {
  std::lock_guard lock(mu_);
  persist_locked();
}

void Server::persist_locked() {
  if (!unpersisted_) return;
  const std::string canonical = config::to_json(*unpersisted_);
  unpersisted_.reset();
  hash_ = identity::sha256_hex(canonical);
  if (store_) {
    if (auto saved = store_->save_canonical(canonical); !saved.ok()) {
      // Serving goes on; only a restart without a controller is affected.
      spdlog::warn("cannot persist snapshot: {}", saved.error().to_string());
    }
  }
}

Server::ConfigInfo Server::config_info() {
  std::lock_guard lock(mu_);
  persist_locked();  // the hash is of what is live
  return {version_, hash_};
}

std::string Server::render_metrics(bool openmetrics) {
  // Each worker copies its own stats on its own thread; we wait (bounded).
  const size_t n = workers_.size();
  auto results = std::make_shared<std::vector<metrics::StatsSnapshot>>(n);
  auto remaining = std::make_shared<std::atomic<size_t>>(n);
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  for (size_t i = 0; i < n; ++i) {
    Worker* w = workers_[i].get();
    boost::asio::post(w->io(), [w, i, results, remaining, done] {
      (*results)[i] = w->stats().snapshot();
      if (remaining->fetch_sub(1) == 1) done->set_value();
    });
  }
  metrics::StatsSnapshot merged;
  if (future.wait_for(std::chrono::seconds(2)) == std::future_status::ready) {
    for (const auto& r : *results) merged.merge(r);
  }
  metrics::ProcessGauges gauges;
  {
    std::lock_guard lock(mu_);
    gauges.config_version = version_;
    gauges.config_apply_seconds = apply_seconds_;
  }
  gauges.ready = live_;
  gauges.access_log_dropped = options_.access_log ? options_.access_log->dropped() : 0;
  gauges.draining = draining_;
  std::string text =
      metrics::render_prometheus(merged, gauges, openmetrics) +
      render_jwks_metrics(policy_state_.jwks.fetch_counts()) +
      render_ratelimit_metrics(policy_state_.limits.evictions(),
                               policy_state_.global ? &policy_state_.global->stats() : nullptr) +
      render_cache_metrics(policy_state_.cache_store.get()) +
      render_resilience_metrics(policy_state_.clusters.report(std::chrono::steady_clock::now())) +
      render_health_metrics(policy_state_.clusters.health_report()) +
      (options_.tracer ? tracing::render_trace_metrics(options_.tracer->counters()) : "");
  return openmetrics ? metrics::to_openmetrics(text) : text;
}

void Server::drain() {
  draining_ = true;
  for (auto& w : workers_) w->post_drain();
}

size_t Server::open_connections() const {
  size_t total = 0;
  for (const auto& w : workers_) total += w->connections_open();
  return total;
}

void Server::close_all() {
  for (auto& w : workers_) w->post_close_all();
}

}  // namespace archway::server

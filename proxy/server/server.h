#pragma once
// The proxy's control side: owns the workers, applies snapshots (the same
// function for --config at start, the state dir on restart, and every
// PUT /config; STYLE.md habit 1), opens and closes listeners as snapshots
// add and remove them, collects stats on scrape, and drains on SIGTERM.
//
// Thread: every public method may be called from any control thread (main,
// admin); they serialise on one mutex that the request path never touches.

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/config/snapshot_store.h"
#include "proxy/config/validated_snapshot.h"
#include "proxy/exchange/access_log.h"
#include "proxy/filters/shared_policy_state.h"
#include "proxy/health/prober.h"
#include "proxy/ratelimit/global/global_limiter.h"
#include "proxy/ratelimit/limit_tables.h"
#include "proxy/server/worker.h"
#include "proxy/tracing/tracer.h"

namespace archway::server {

// Rate limits' process-wide settings (docs/ratelimit.md).
struct RateLimitOptions {
  uint32_t trusted_hops = 0;  // --trusted-proxy-hops
  size_t max_keys = ratelimit::LimitTables::kDefaultMaxKeys;
  // Set: Global limits go through this Redis; its TLS context, if any, is
  // owned here and outlives the limiter.
  std::optional<ratelimit::GlobalLimiterOptions> global;
  std::shared_ptr<SSL_CTX> redis_tls;
};

// --cache-max-bytes's default: 64 MiB for every cached route together
// (docs/cache.md).
inline constexpr uint64_t kDefaultCacheMaxBytes = uint64_t{64} << 20;

struct ServerOptions {
  size_t workers = 1;
  RateLimitOptions ratelimit;
  // The one response cache's budget (cache::Store); 0 turns caching off:
  // every cached rule bypasses it.
  uint64_t cache_max_bytes = kDefaultCacheMaxBytes;
  std::optional<std::string> state_dir;
  std::unique_ptr<exchange::AccessLog> access_log;  // null: access log off
  // null: tracing off (no --otlp-endpoint). Outlives the workers, whose
  // exchanges submit spans until they are destroyed.
  std::unique_ptr<tracing::Tracer> tracer;
  OnLoopException on_loop_exception = OnLoopException::kCountAndContinue;
  // Distinct route and cluster names per worker in /metrics
  // (docs/observability.md "Series budget").
  size_t metrics_label_limit = metrics::kDefaultLabelLimit;
  // false: requests and backend attempts are not counted (benchmarks).
  bool request_metrics = true;
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  void start();
  // Compiles and swaps in a snapshot that was validated once, by
  // parse_snapshot_* or validate_snapshot (the type admits nothing else); on
  // error the live one stays and the error names the field. Returns the new
  // live version. One function for --config, the state dir and PUT /config.
  [[nodiscard]] Result<std::string> apply(const config::ValidatedSnapshot& snapshot);
  // Parses JSON or YAML, then apply().
  [[nodiscard]] Result<std::string> apply_text(std::string_view text);
  // Loads the persisted snapshot, if any (restart without a controller).
  [[nodiscard]] Result<bool> load_state();

  struct ConfigInfo {
    std::string version;  // "" before the first snapshot
    std::string hash;     // sha256 of the canonical JSON, hex
  };
  // Hashes (and persists) first when persist() has not run since apply().
  [[nodiscard]] ConfigInfo config_info();
  // Serialises the snapshot applied last, for GET /config's hash and the
  // state directory, unless done already. apply() leaves it to the caller:
  // the admin thread runs it after the ACK is written, so a push does not
  // wait for a serialisation and an fsync (at 10k hosts, most of a second);
  // config_info() and stop() run it too.
  void persist();
  [[nodiscard]] bool ready() const { return live_.load() && !draining_.load(); }
  [[nodiscard]] bool draining() const { return draining_.load(); }
  // Prometheus text; asks every worker for its stats.
  // `openmetrics`: OpenMetrics 1.0 with exemplars, else the Prometheus
  // text format (metrics/openmetrics.h).
  [[nodiscard]] std::string render_metrics(bool openmetrics = false);
  // The process's response cache (admin purge); null when caching is off.
  [[nodiscard]] std::shared_ptr<cache::Store> cache_store() const {
    return policy_state_.cache_store;
  }
  // How the fetches of every jwksUri the live routes name stand (GET /jwks).
  [[nodiscard]] std::vector<identity::JwksSourceStatus> jwks_status() const {
    return policy_state_.jwks.statuses();
  }

  // Stop accepting, GOAWAY / Connection: close, finish in-flight work.
  void drain();
  [[nodiscard]] size_t open_connections() const;
  void close_all();
  void stop();

 private:
  void persist_locked();  // mu_ held
  // Declared before workers_: exchanges still log while workers are destroyed.
  ServerOptions options_;
  // Before workers_: outlives them, and with them every fetch they run for it.
  filters::SharedPolicyState policy_state_;
  std::vector<std::unique_ptr<Worker>> workers_;
  // Active health checks of the live table's clusters, on its own thread
  // (docs/resilience.md "Health checks"); stopped before the workers.
  health::Prober prober_;
  std::optional<config::SnapshotStore> store_;
  mutable std::mutex mu_;                              // control plane only
  std::map<std::string, config::Listener> listeners_;  // by key
  std::string version_;
  std::string hash_;
  // Applied but not yet hashed and persisted (persist()).
  std::shared_ptr<const config::Snapshot> unpersisted_;
  double apply_seconds_ = 0;
  uint64_t generation_ = 0;
  std::atomic<bool> live_{false};
  std::atomic<bool> draining_{false};
  bool debts_saved_ = false;  // stop() runs again from the destructor
};

}  // namespace archway::server

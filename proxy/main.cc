// archway-proxy: the data plane. Parses flags, loads a snapshot (--config,
// or the state dir's last accepted one), starts the workers and the admin
// endpoints, and drains on SIGTERM. docs/proxy.md documents every flag.
#include <spdlog/spdlog.h>
#include <boost/program_options.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include "common/logging.h"
#include "common/signals.h"
#include "proxy/admin/admin_server.h"
#include "proxy/cache/store.h"
#include "proxy/config/snapshot_parser.h"
#include "proxy/server/ratelimit_options.h"
#include "proxy/server/server.h"
#include "proxy/tracing/tracer.h"

namespace po = boost::program_options;

namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

int load_config_file(archway::server::Server& server, const std::string& path) {
  std::string text;
  if (!read_file(path, text)) {
    spdlog::error("cannot read --config {}", path);
    return 1;
  }
  auto applied = server.apply_text(text);
  if (!applied.ok()) {
    spdlog::error("--config {} rejected: {}", path, applied.error().to_string());
    return 1;
  }
  server.persist();  // no admin session follows to do it
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  archway::block_termination_signals();
  po::options_description opts("archway-proxy options");
  std::string config, admin_socket, admin_address, state_dir, log_level, log_format, drain_timeout;
  std::string access_log;
  size_t access_log_buffer = 8192;
  unsigned workers = 0;
  uint16_t admin_port = 9901;
  bool abort_on_loop_exception = false;
  archway::server::RateLimitFlags rate_limit;
  uint64_t cache_max_bytes = archway::server::kDefaultCacheMaxBytes;
  size_t metrics_label_limit = archway::metrics::kDefaultLabelLimit;
  bool no_request_metrics = false;
  archway::tracing::TracerOptions tracing;
  std::string trace_batch_interval = "2s", trace_export_timeout = "5s";
  opts.add_options()("help", "show this help")("config", po::value(&config),
                                               "snapshot file (JSON or YAML) to load at start")(
      "state-dir", po::value(&state_dir),
      "directory where the last accepted snapshot is kept; loaded at start when no --config")(
      "admin-socket", po::value(&admin_socket), "Unix socket for PUT/GET /config")(
      "admin-address", po::value(&admin_address)->default_value("127.0.0.1"),
      "address of the admin TCP port (healthz, readyz, metrics)")(
      "admin-port", po::value(&admin_port)->default_value(9901), "admin TCP port; 0 disables")(
      "workers", po::value(&workers)->default_value(0), "worker threads (0: one per core)")(
      "drain-timeout", po::value(&drain_timeout)->default_value("15s"),
      "how long SIGTERM waits for in-flight requests")(
      "log-level", po::value(&log_level)->default_value("info"), "trace|debug|info|warn|error")(
      "log-format", po::value(&log_format)->default_value("text"), "text|json")(
      "access-log", po::value(&access_log)->default_value("stdout"),
      "where the JSON access log goes: stdout, a file path, or off")(
      "access-log-buffer", po::value(&access_log_buffer)->default_value(8192),
      "access-log lines queued for the writer thread; more are dropped (counted)")(
      "abort-on-loop-exception", po::bool_switch(&abort_on_loop_exception),
      "abort when an exception escapes a worker's handler (tests); else it is logged and counted")(
      "redis-address", po::value(&rate_limit.redis_address),
      "Redis for Global rate limits: host:port (a Redis Cluster: several, comma-separated)")(
      "redis-cluster", po::bool_switch(&rate_limit.redis_cluster),
      "--redis-address names Redis Cluster nodes")(
      "redis-username", po::value(&rate_limit.redis_username), "Redis ACL user for AUTH")(
      "redis-password-file", po::value(&rate_limit.redis_password_file),
      "file holding the Redis password (a mounted Secret)")(
      "redis-tls", po::bool_switch(&rate_limit.redis_tls), "connect to Redis over TLS, verified")(
      "redis-ca-file", po::value(&rate_limit.redis_ca_file),
      "PEM trust anchors for Redis's certificate, besides the system's")(
      "redis-server-name", po::value(&rate_limit.redis_server_name),
      "name Redis's certificate must carry (default: the address's host)")(
      "trusted-proxy-hops", po::value(&rate_limit.trusted_proxy_hops)->default_value(0),
      "proxies of yours in front that append to X-Forwarded-For (rate-limit key ClientIP)")(
      "ratelimit-max-keys", po::value(&rate_limit.max_keys)->default_value(100000),
      "keys kept per Local rate limit; the least recently used go first")(
      "cache-max-bytes", po::value(&cache_max_bytes)->default_value(cache_max_bytes),
      "bytes of responses the process's cache keeps, for every route (0: caching off)")(
      "metrics-label-limit", po::value(&metrics_label_limit)->default_value(metrics_label_limit),
      "distinct route and cluster names per worker in /metrics; more are counted as _overflow")(
      "no-request-metrics", po::bool_switch(&no_request_metrics),
      "count no request or backend attempt in /metrics (to measure what metrics cost)")(
      "otlp-endpoint", po::value(&tracing.otlp_endpoint),
      "OTLP/HTTP (JSON) traces endpoint, http://host:port/v1/traces; empty: tracing off")(
      "trace-sampling-ratio", po::value(&tracing.sampling_ratio)->default_value(0.01),
      "share of new traces recorded (0..1); a traceparent's sampled flag wins")(
      "trace-service-name", po::value(&tracing.service_name)->default_value("archway"),
      "the spans' service.name")("trace-batch-size",
                                 po::value(&tracing.batch_size)->default_value(512),
                                 "spans per OTLP request")(
      "trace-batch-interval", po::value(&trace_batch_interval)->default_value("2s"),
      "the longest a span waits for its batch")(
      "trace-queue-size", po::value(&tracing.queue_size)->default_value(4096),
      "spans waiting for the exporter; more are dropped (counted)")(
      "trace-export-timeout", po::value(&trace_export_timeout)->default_value("5s"),
      "bound on one OTLP request");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "archway-proxy: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!archway::configure_logging(log_level, log_format)) {
    std::cerr << "archway-proxy: bad --log-level or --log-format\n";
    return 2;
  }
  auto drain = archway::config::parse_duration(drain_timeout);
  if (!drain.ok()) {
    std::cerr << "archway-proxy: --drain-timeout: " << drain.error().to_string() << "\n";
    return 2;
  }
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());

  auto rate_limit_options = archway::server::rate_limit_options(rate_limit);
  if (!rate_limit_options.ok()) {
    std::cerr << "archway-proxy: " << rate_limit_options.error().to_string() << "\n";
    return 2;
  }

  archway::server::ServerOptions server_options;
  server_options.ratelimit = std::move(*rate_limit_options);
  server_options.workers = workers;
  server_options.cache_max_bytes = cache_max_bytes;
  server_options.metrics_label_limit = metrics_label_limit;
  server_options.request_metrics = !no_request_metrics;
  if (abort_on_loop_exception) {
    server_options.on_loop_exception = archway::server::OnLoopException::kAbort;
  }
  if (!state_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (ec) {
      std::cerr << "archway-proxy: --state-dir " << state_dir << ": " << ec.message() << "\n";
      return 2;
    }
    server_options.state_dir = state_dir;
  }
  if (access_log != "off") {
    auto opened = archway::exchange::AccessLog::open(access_log, access_log_buffer);
    if (!opened.ok()) {
      std::cerr << "archway-proxy: " << opened.error().to_string() << "\n";
      return 2;
    }
    server_options.access_log = std::move(*opened);
  }
  if (!tracing.otlp_endpoint.empty()) {
    auto interval = archway::config::parse_duration(trace_batch_interval);
    auto timeout = archway::config::parse_duration(trace_export_timeout);
    if (!interval.ok() || !timeout.ok()) {
      std::cerr << "archway-proxy: bad --trace-batch-interval or --trace-export-timeout\n";
      return 2;
    }
    tracing.batch_interval = *interval;
    tracing.export_timeout = *timeout;
    auto tracer = archway::tracing::Tracer::create(std::move(tracing));
    if (!tracer.ok()) {
      std::cerr << "archway-proxy: " << tracer.error().to_string() << "\n";
      return 2;
    }
    server_options.tracer = std::move(*tracer);
  }
  archway::server::Server server(std::move(server_options));
  server.start();

  if (!config.empty()) {
    if (int rc = load_config_file(server, config); rc != 0) return rc;
  } else if (!state_dir.empty()) {
    auto loaded = server.load_state();
    if (!loaded.ok()) {
      spdlog::warn("state dir snapshot not loaded: {}", loaded.error().to_string());
    } else if (*loaded) {
      spdlog::info("loaded the last accepted snapshot from {}", state_dir);
    }
  }

  archway::admin::AdminOptions admin_options;
  if (!admin_socket.empty()) admin_options.socket_path = admin_socket;
  if (admin_port != 0) admin_options.address = admin_address;
  admin_options.port = admin_port;
  // DELETE /cache: the server's one store (thread-safe); none with
  // --cache-max-bytes 0, and then nothing is purged.
  admin_options.purge_cache =
      [store = server.cache_store()](const archway::admin::CachePurgeQuery& query) -> size_t {
    return store ? store->purge(query.host, query.path, query.prefix) : 0;
  };
  auto admin = archway::admin::AdminServer::create(admin_options, server);
  if (!admin.ok()) {
    spdlog::error("admin: {}", admin.error().to_string());
    return 1;
  }
  spdlog::info("archway-proxy started: {} workers, admin port {}", workers, (*admin)->tcp_port());

  while (true) {
    auto sig = archway::wait_for_signal(std::chrono::seconds(1));
    if (!sig) continue;
    if (*sig == SIGHUP) {
      if (!config.empty()) (void)load_config_file(server, config);
      continue;
    }
    break;
  }
  spdlog::info("draining (up to {} ms)", drain->count());
  server.drain();
  const auto deadline = std::chrono::steady_clock::now() + *drain;
  while (server.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    if (auto sig = archway::wait_for_signal(std::chrono::milliseconds(50))) {
      if (*sig == SIGINT) break;  // a second Ctrl-C: stop waiting
    }
  }
  if (server.open_connections() > 0) {
    spdlog::warn("drain timeout: closing {} connections", server.open_connections());
    server.close_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (*admin)->stop();
  server.stop();
  spdlog::info("stopped");
  return 0;
}

#pragma once
// One worker: a thread running its own io_context, with everything a request
// touches kept here (current table, backend pools, stats, RNG, listeners'
// acceptors). The control thread talks to a worker only by posting messages
// (post_*), so the request path takes no lock (STYLE.md habit 3).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "proxy/client/client_host.h"
#include "proxy/client/connection.h"
#include "proxy/config/snapshot.h"
#include "proxy/exchange/access_log.h"
#include "proxy/exchange/table_context.h"
#include "proxy/identity/outbound/introspection_caller.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/net/deadline.h"
#include "proxy/outbound/http_client.h"
#include "proxy/routing/route_table.h"

namespace archway::backend {
class Pool;
class H2Sessions;
}  // namespace archway::backend

namespace archway::server {

// An io_context whose pending handlers can be destroyed before it is: Asio
// does that only in ~execution_context (shutdown() is protected there).
class WorkerIoContext : public boost::asio::io_context {
 public:
  using boost::asio::io_context::io_context;
  // Destroys every pending handler (and so the connections they own) without
  // running it. The context is stopped and no thread runs it.
  void destroy_pending_handlers() { shutdown(); }
};

// What a worker does when a handler throws out of its event loop. Request
// paths return errors as values, so an exception there is a bug: it is
// always logged and counted (archway_worker_loop_exceptions_total); tests
// run with kAbort (--abort-on-loop-exception) so that it cannot go unseen.
enum class OnLoopException { kCountAndContinue, kAbort };

// The worker is the client codecs' and exchanges' host (client/client_host.h,
// exchange/exchange_host.h): they see only those interfaces. `final`, so
// calls through a Worker& need no virtual dispatch.
class Worker final : public client::ClientHost, public outbound::BackendPools {
 public:
  // `metrics_label_limit`: the series budget of its stats (label_budget.h).
  explicit Worker(size_t index,
                  OnLoopException on_loop_exception = OnLoopException::kCountAndContinue,
                  size_t metrics_label_limit = metrics::kDefaultLabelLimit,
                  bool request_metrics = true);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Stops the loop and joins the thread. Control thread.
  void stop_and_join();

  // --- Messages from the control thread (thread-safe; run on the worker) ---
  void post_table(std::shared_ptr<const exchange::TableContext> table);
  // Takes ownership of a bound, listening socket (SO_REUSEPORT, one per worker).
  void post_listener_add(const std::string& key, bool tls, int fd);
  // Stops accepting on that listener; its open connections finish normally.
  void post_listener_remove(const std::string& key);
  void post_drain();
  void post_close_all();
  // Open client connections; read from any thread.
  [[nodiscard]] size_t connections_open() const { return open_.load(std::memory_order_relaxed); }

  // --- Worker thread only ---
  // ClientHost
  [[nodiscard]] boost::asio::io_context& io() override { return io_; }
  [[nodiscard]] const std::shared_ptr<const exchange::TableContext>& table() const override {
    return table_;
  }
  void add_connection(client::Connection* c) override;
  void remove_connection(client::Connection* c) override;
  // ExchangeHost (pool() and h2_sessions() are also outbound::BackendPools)
  [[nodiscard]] backend::Pool& pool() override { return *pool_; }
  [[nodiscard]] backend::H2Sessions& h2_sessions() override { return *h2_sessions_; }
  [[nodiscard]] net::Deadlines& deadlines() override { return deadlines_; }
  [[nodiscard]] metrics::WorkerStats& stats() override { return stats_; }
  // Attach it (enable) before start().
  [[nodiscard]] exchange::AccessLogWriter& access_log() override { return access_log_; }
  [[nodiscard]] std::mt19937_64& rng() override { return rng_; }
  [[nodiscard]] size_t next_endpoint(const std::string& cluster, size_t count) override;
  [[nodiscard]] balancing::WorkerState& balancing() override { return balancing_; }
  [[nodiscard]] std::vector<routing::HeaderField>& header_fields() override {
    return header_fields_;
  }
  [[nodiscard]] std::string& scratch() override { return scratch_; }
  [[nodiscard]] outbound::HttpClient& http_client() override { return http_client_; }
  [[nodiscard]] identity::OutboundIntrospectionCaller& introspection_caller() override {
    return introspection_caller_;
  }
  [[nodiscard]] tracing::Tracer* tracer() override { return tracer_; }
  // Set it (or leave it null: tracing off) before start(). Not owned; it
  // outlives the worker (ServerOptions::tracer).
  void set_tracer(tracing::Tracer* tracer) { tracer_ = tracer; }

  [[nodiscard]] size_t index() const { return index_; }
  [[nodiscard]] bool draining() const { return draining_; }

 private:
  struct Listener {
    bool tls = false;
    std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor;
  };
  void accept(Listener& listener);
  void swap_table(std::shared_ptr<const exchange::TableContext> table);
  void on_loop_exception(const char* what);
  // The caller's options: its calls counted in `stats`.
  [[nodiscard]] static identity::OutboundIntrospectionCaller::Options introspection_options(
      metrics::WorkerStats& stats);

  size_t index_;
  OnLoopException on_loop_exception_;
  // Declared before io_ so that they outlive it and every object its
  // handlers or the members below own: a connection's destructor calls
  // remove_connection (connections_, open_, stats_).
  std::unordered_set<client::Connection*> connections_;
  std::atomic<size_t> open_{0};
  metrics::WorkerStats stats_;
  exchange::AccessLogWriter access_log_;  // exchanges log from their destructors
  // One thread runs this context and only it touches its sockets: no locking
  // in the reactor's per-socket I/O (other threads only post).
  // Its pending handlers own the client connections, whose destructors call
  // back into this worker (remove_connection, stats_, deadlines_): ~Worker
  // destroys them while every member is still alive.
  WorkerIoContext io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  net::Deadlines deadlines_{io_};
  std::thread thread_;
  std::shared_ptr<const exchange::TableContext> table_;
  // shared_ptr: backend connections hold weak_ptrs to learn that their pool
  // was retired by a swap (then they close instead of returning).
  std::shared_ptr<backend::Pool> pool_;
  std::shared_ptr<backend::H2Sessions> h2_sessions_;
  // After the pools it reaches through this worker; destroyed before them,
  // and after the pending handlers (~Worker) whose exchanges hold fetches.
  outbound::HttpClient http_client_{io_, *this};
  // Over http_client_, destroyed before it: its destructor answers the calls
  // still in flight (fail closed), counting them in stats_.
  identity::OutboundIntrospectionCaller introspection_caller_{http_client_,
                                                              introspection_options(stats_)};
  std::mt19937_64 rng_;
  std::vector<routing::HeaderField> header_fields_;
  std::string scratch_;
  std::map<std::string, Listener> listeners_;
  std::unordered_map<std::string, size_t> rr_;
  balancing::WorkerState balancing_;
  tracing::Tracer* tracer_ = nullptr;
  bool draining_ = false;
};

}  // namespace archway::server

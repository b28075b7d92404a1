#pragma once
// What an exchange needs of the worker that runs it, and nothing more: the
// backend pools, the deadline list, stats, the access log and per-worker
// scratch space. The exchange sees its worker only through this interface
// (server::Worker implements it), so the request path below server/ never
// includes server/ back and a test can run an exchange on a fake host.
//
// Worker-thread only. The references returned stay valid until the next
// table swap at most (pool() and h2_sessions() are replaced by a swap), so
// an exchange asks again instead of keeping them.

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "proxy/balancing/balancer.h"
#include "proxy/routing/route_table.h"

namespace archway::backend {
class Pool;
class H2Sessions;
}  // namespace archway::backend

namespace archway::metrics {
class WorkerStats;
}

namespace archway::net {
class Deadlines;
}

namespace archway::outbound {
class HttpClient;
}

namespace archway::identity {
class OutboundIntrospectionCaller;
}

namespace archway::tracing {
class Tracer;
}

namespace archway::exchange {

class AccessLogWriter;

class ExchangeHost {
 public:
  [[nodiscard]] virtual backend::Pool& pool() = 0;
  [[nodiscard]] virtual backend::H2Sessions& h2_sessions() = 0;
  // Request and tunnel deadlines: one timer for all (net/deadline.h).
  [[nodiscard]] virtual net::Deadlines& deadlines() = 0;
  [[nodiscard]] virtual metrics::WorkerStats& stats() = 0;
  // Disabled when the log is off; exchanges write from their destructors.
  [[nodiscard]] virtual AccessLogWriter& access_log() = 0;
  [[nodiscard]] virtual std::mt19937_64& rng() = 0;
  // Round-robin cursor per cluster name, for the endpoints of what
  // policies fetch (aggregate parts); a request's backend uses balancing().
  [[nodiscard]] virtual size_t next_endpoint(const std::string& cluster, size_t count) = 0;
  // The worker's own balancing state (smooth round robin's weights).
  [[nodiscard]] virtual balancing::WorkerState& balancing() = 0;
  // Scratch space for routing a request head (Exchange::start).
  [[nodiscard]] virtual std::vector<routing::HeaderField>& header_fields() = 0;
  // Scratch string for serialising a head that is copied out at once.
  [[nodiscard]] virtual std::string& scratch() = 0;
  // The worker's outbound HTTP client, for what filters fetch (JWKS,
  // introspection): outbound/http_client.h. Lives as long as the worker.
  [[nodiscard]] virtual outbound::HttpClient& http_client() = 0;
  // The worker's OAuth2 introspection calls, over http_client()
  // (identity/outbound/introspection_caller.h). Lives as long as the worker.
  [[nodiscard]] virtual identity::OutboundIntrospectionCaller& introspection_caller() = 0;
  // The process's tracer (tracing/tracer.h); null when tracing is off, as
  // it is for a host that does not say otherwise.
  [[nodiscard]] virtual tracing::Tracer* tracer() { return nullptr; }

 protected:
  // Never owned through this interface.
  ~ExchangeHost() = default;
};

}  // namespace archway::exchange

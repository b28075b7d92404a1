#pragma once
// The proxy's one outbound HTTP client, for what policies fetch: a JWKS
// document, a token introspection, the parts of an aggregated response.
// Not a second HTTP stack: requests go through the worker's backend pools
// (backend/pool.h for HTTP/1.1 keep-alive, backend/h2_sessions.h for h2
// chosen by ALPN over TLS), so they reuse connections and verify TLS exactly
// as requests to backends do. docs/outbound.md says what it does and does
// not do (no redirects, no proxies, no h2c).
//
// One per worker, owned by it; worker-thread only. Every fetch runs on the
// worker's loop: host names are resolved by asio's asynchronous resolver
// (IP literals skip it), and the callback is always posted, never called
// from inside fetch().

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "common/result.h"
#include "proxy/outbound/client_tls_cache.h"
#include "proxy/outbound/request.h"

namespace archway::backend {
class Pool;
class H2Sessions;
}  // namespace archway::backend

namespace archway::outbound {

class Fetch;
class HttpClient;

// Where the worker's current backend pools are. They are replaced at each
// table swap (the old ones finish their work), so the client asks for them
// when a request starts instead of keeping them. server::Worker implements
// it with the same functions as exchange::ExchangeHost.
class BackendPools {
 public:
  [[nodiscard]] virtual backend::Pool& pool() = 0;
  [[nodiscard]] virtual backend::H2Sessions& h2_sessions() = 0;

 protected:
  ~BackendPools() = default;  // never owned through this interface
};

// A fetch in flight. Destroying it (or cancel()) before the callback ran
// guarantees the callback never runs, and frees the request: a connection
// it was using is closed (HTTP/1.1) or its stream reset (HTTP/2). Move-only;
// must not outlive the client that made it.
class [[nodiscard]] FetchHandle {
 public:
  FetchHandle() = default;
  ~FetchHandle() { cancel(); }
  FetchHandle(FetchHandle&& other) noexcept = default;
  FetchHandle& operator=(FetchHandle&& other) noexcept {
    if (this != &other) {
      cancel();
      fetch_ = std::move(other.fetch_);
    }
    return *this;
  }
  FetchHandle(const FetchHandle&) = delete;
  FetchHandle& operator=(const FetchHandle&) = delete;

  void cancel();
  // The callback has not run yet (and the fetch was not cancelled).
  [[nodiscard]] bool pending() const;

 private:
  friend class HttpClient;
  explicit FetchHandle(std::shared_ptr<Fetch> fetch) : fetch_(std::move(fetch)) {}
  std::shared_ptr<Fetch> fetch_;  // the only owner: I/O handlers hold weak_ptrs
};

class HttpClient {
 public:
  // Errors: kInvalidArgument for a request that cannot be sent (bad URL,
  // bad header, bad extra CA); kUnavailable for the network (resolution,
  // connect, TLS verification, reset, timeout, response too large), with a
  // message saying which.
  using Callback = std::function<void(Result<OutboundResponse>)>;

  // `io` and `pools` belong to the worker and outlive this client.
  HttpClient(boost::asio::io_context& io, BackendPools& pools);
  // Cancels every fetch still in flight: their callbacks never run.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts `request`; `done` runs once on this worker's loop, later, unless
  // the handle is destroyed or cancelled first.
  [[nodiscard]] FetchHandle fetch(OutboundRequest request, Callback done);

  // Starts `request` on the client's own account: it runs to its end even
  // if whoever asked is gone (a JWKS fetch that other exchanges wait on
  // must outlive the exchange that started it). `done` runs once on this
  // worker's loop, unless the client is destroyed first.
  void fetch_detached(OutboundRequest request, Callback done);

  // The worker's loop: where callbacks run, and where others post to reach
  // this worker.
  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] size_t in_flight() const { return live_.size(); }
  [[nodiscard]] const ClientTlsCache& tls_contexts() const { return tls_; }

 private:
  friend class Fetch;
  boost::asio::io_context& io_;
  BackendPools& pools_;
  ClientTlsCache tls_;
  // Fetches not yet destroyed, so that ~HttpClient can cut them loose.
  std::unordered_set<Fetch*> live_;
  // fetch_detached's handles until their callbacks ran. Destroyed before
  // live_, after ~HttpClient abandoned them.
  std::unordered_map<uint64_t, FetchHandle> detached_;
  uint64_t next_detached_ = 0;
};

}  // namespace archway::outbound

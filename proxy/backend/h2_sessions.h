#pragma once
// Per worker, per route table: one multiplexed HTTP/2 connection per backend
// endpoint (h2c by prior knowledge). Worker-thread only. A table swap
// retires the set: open sessions finish their streams and then close (so a
// gRPC stream opened before a swap keeps its backend connection); new
// requests go to the new set's sessions.
//
// HTTPS clusters offer ALPN "h2, http/1.1". The set also remembers, per
// endpoint and TLS context, what the backend chose (ALPN below): while it
// is unknown or h2 a request goes to an HTTP/2 session; a connect whose ALPN
// does not choose h2 carries its queued requests over HTTP/1.1
// (h1_fallback.h), the first on that very TLS connection, and remembers
// kHttp1, so later requests go to the worker's HTTP/1.1 pool (pool.h). A
// kHttp1 memory is forgotten after kHttp1Recheck (and with the set at each
// table swap): the next request tries HTTP/2 again, so a backend that
// learned h2 is found; one that did not costs one connection per period.

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "proxy/backend/h2_session.h"
#include "proxy/config/snapshot.h"
#include "proxy/http/message.h"

namespace archway::metrics {
class WorkerStats;
}

namespace archway::backend {

class Pool;

class H2Sessions : public std::enable_shared_from_this<H2Sessions> {
 public:
  // `h1_pool`: where connections that fell back to HTTP/1.1 go back when
  // idle (the worker's pool for the same table); empty: they close instead.
  explicit H2Sessions(boost::asio::io_context& io, std::weak_ptr<Pool> h1_pool = {})
      : io_(io), h1_pool_(std::move(h1_pool)) {}
  ~H2Sessions();
  H2Sessions(const H2Sessions&) = delete;
  H2Sessions& operator=(const H2Sessions&) = delete;

  // Why open() gave no stream: the status the client gets.
  enum class OpenError { kNone, kUnavailable /* 502 */, kOverloaded /* 503 */ };
  struct Opened {
    http::BackendStream* stream = nullptr;
    OpenError error = OpenError::kNone;
  };
  // Opens a stream for `request` to `endpoint` (HEADERS at once, or when the
  // connection is up; the body follows through the returned stream).
  // `tls`: the cluster's client context for HTTPS (h2 by ALPN), else null.
  // `stats`: where a new connection is counted, under the cluster's name
  // (archway_upstream_connections_active); null: not counted.
  [[nodiscard]] Opened open(const config::Cluster& cluster, SSL_CTX* tls,
                            const boost::asio::ip::tcp::endpoint& endpoint,
                            const http::Request& request, const std::string& path,
                            http::BackendEvents* events, metrics::WorkerStats* stats = nullptr);
  // The same for a caller that is not a cluster (outbound/http_client.h):
  // its own connect timeout and TLS settings; `settings.tls` null is h2c.
  [[nodiscard]] Opened open(const H2Session::Settings& settings,
                            const boost::asio::ip::tcp::endpoint& endpoint,
                            const http::Request& request, const std::string& path,
                            http::BackendEvents* events);
  // A stream refused by its session (REFUSED_STREAM, GOAWAY): onto a
  // session that takes streams, a new one if need be.
  void adopt(const H2Session& refusing, std::unique_ptr<H2Stream>& stream);
  void retire();
  // The session closed or got GOAWAY: new streams go to a new one.
  void forget(const H2Session* session);

  // What an HTTPS endpoint chose by ALPN, as far as this worker knows.
  enum class Alpn : uint8_t { kUnknown, kH2, kHttp1 };
  [[nodiscard]] Alpn alpn(const boost::asio::ip::tcp::endpoint& endpoint, SSL_CTX* tls) const;
  void remember(const boost::asio::ip::tcp::endpoint& endpoint, SSL_CTX* tls, Alpn alpn);
  [[nodiscard]] const std::weak_ptr<Pool>& h1_pool() const { return h1_pool_; }
  // How long a kHttp1 memory holds before HTTP/2 is tried again.
  static constexpr std::chrono::seconds kHttp1Recheck{300};

 private:
  using Key = std::pair<boost::asio::ip::tcp::endpoint, SSL_CTX*>;
  struct Memory {
    Alpn alpn = Alpn::kUnknown;
    std::chrono::steady_clock::time_point since;
  };
  // `created`: set when the session is new.
  std::shared_ptr<H2Session> session_for(const boost::asio::ip::tcp::endpoint& endpoint,
                                         const H2Session::Settings& settings,
                                         bool* created = nullptr);
  Opened open_on(H2Session& session, const H2Session::Settings& settings,
                 const http::Request& request, const std::string& path,
                 http::BackendEvents* events);

  boost::asio::io_context& io_;
  // By endpoint and TLS context: an h2c and an HTTPS cluster may share an
  // address but never a connection.
  std::map<Key, std::shared_ptr<H2Session>> sessions_;
  std::map<Key, Memory> alpn_;
  std::weak_ptr<Pool> h1_pool_;
  bool retired_ = false;
};

// The HTTP/2 header list for `request` sent to `path` (pseudo-fields first,
// connection-specific fields dropped, "te: trailers" kept for gRPC).
[[nodiscard]] http::Headers h2_request_head(const http::Request& request, const std::string& path,
                                            std::string_view scheme);

}  // namespace archway::backend

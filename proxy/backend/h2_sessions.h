#pragma once
// Per worker, per route table: one multiplexed HTTP/2 connection per backend
// endpoint (h2c by prior knowledge). Worker-thread only. A table swap
// retires the set: open sessions finish their streams and then close (so a
// gRPC stream opened before a swap keeps its backend connection); new
// requests go to the new set's sessions.

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "proxy/backend/h2_session.h"
#include "proxy/config/snapshot.h"
#include "proxy/server/message.h"

namespace archway::backend {

class H2Sessions : public std::enable_shared_from_this<H2Sessions> {
 public:
  explicit H2Sessions(boost::asio::io_context& io) : io_(io) {}
  ~H2Sessions();
  H2Sessions(const H2Sessions&) = delete;
  H2Sessions& operator=(const H2Sessions&) = delete;

  // Why open() gave no stream: the status the client gets.
  enum class OpenError { kNone, kUnavailable /* 502 */, kOverloaded /* 503 */ };
  struct Opened {
    server::BackendStream* stream = nullptr;
    OpenError error = OpenError::kNone;
  };
  // Opens a stream for `request` to `endpoint` (HEADERS at once, or when the
  // connection is up; the body follows through the returned stream).
  // `tls`: the cluster's client context for HTTPS (h2 by ALPN), else null.
  [[nodiscard]] Opened open(const config::Cluster& cluster, SSL_CTX* tls,
                            const boost::asio::ip::tcp::endpoint& endpoint,
                            const server::Request& request, const std::string& path,
                            server::BackendEvents* events);
  // A stream refused by its session (REFUSED_STREAM, GOAWAY): onto a
  // session that takes streams, a new one if need be.
  void adopt(const H2Session& refusing, std::unique_ptr<H2Stream>& stream);
  void retire();
  // The session closed or got GOAWAY: new streams go to a new one.
  void forget(const H2Session* session);

 private:
  using Key = std::pair<boost::asio::ip::tcp::endpoint, SSL_CTX*>;
  std::shared_ptr<H2Session> session_for(const boost::asio::ip::tcp::endpoint& endpoint,
                                         const H2Session::Settings& settings);

  boost::asio::io_context& io_;
  // By endpoint and TLS context: an h2c and an HTTPS cluster may share an
  // address but never a connection.
  std::map<Key, std::shared_ptr<H2Session>> sessions_;
  bool retired_ = false;
};

// The HTTP/2 header list for `request` sent to `path` (pseudo-fields first,
// connection-specific fields dropped, "te: trailers" kept for gRPC).
[[nodiscard]] server::Headers h2_request_head(const server::Request& request,
                                              const std::string& path, std::string_view scheme);

}  // namespace archway::backend

#pragma once
// One HTTP/1.1 connection to a backend endpoint, carrying one request at a
// time (no pipelining to backends: a failure would be ambiguous). It is a
// http::BackendStream for the exchange using it, then goes back to its
// pool (backend/pool.h) if both sides allow keep-alive and the pool was not
// retired by a table swap.
//
// Lifetime: shared_ptr, held by its own pending I/O handlers, by the pool
// while idle and by the exchange while busy; the exchange detaches before it
// goes away, so `events_` is never dangling.
//
// Reads: asio tries every read at once before waiting, so a read posted
// before the backend can have answered costs a recv() that returns EAGAIN:
// one syscall in three or four per proxied request. So a plain connection
// posts its response read only once its request is written (the write's
// completion runs after the other ready handlers, by when a fast backend
// has answered), and goes idle with no read posted: the pool (pool.h) posts
// one on connections idle for a second, to notice backends closing them,
// and checks an unwatched connection with a non-blocking peek before a
// request that could not be retried on another. TLS connections keep a read
// posted while idle (the TLS layer may hold bytes of its own).
//
// Plain TCP or TLS (an HTTPS cluster whose backend chose http/1.1 by ALPN,
// h2_sessions.h): both through one net::Transport, so the plain path costs
// one pointer test per read or write and nothing per request.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "proxy/backend/tls_target.h"
#include "proxy/http/message.h"
#include "proxy/http1/response_parser.h"
#include "proxy/metrics/counted_connection.h"
#include "proxy/net/transport.h"
#include "proxy/resilience/breaker.h"

namespace archway::backend {

class Pool;

class H1Connection final : public http::BackendStream,
                           public http1::ResponseConsumer,
                           public std::enable_shared_from_this<H1Connection> {
 public:
  using tcp = boost::asio::ip::tcp;
  // The pool key: TLS and plain connections to one address never mix.
  using Key = std::pair<tcp::endpoint, SSL_CTX*>;

  // Not connected yet; start() connects. `tls` null: plain TCP; else TLS
  // offering only http/1.1, the handshake inside `connect_timeout`.
  H1Connection(boost::asio::io_context& io, tcp::endpoint endpoint, std::weak_ptr<Pool> pool,
               std::chrono::milliseconds connect_timeout, const TlsTarget* tls = nullptr);
  // A TLS connection already up, from an HTTP/2 attempt whose ALPN did not
  // choose h2 (h2_session.cc): idle, with its read pending.
  [[nodiscard]] static std::shared_ptr<H1Connection> adopt(
      boost::asio::io_context& io, tcp::endpoint endpoint, std::weak_ptr<Pool> pool,
      std::unique_ptr<net::Transport> transport, SSL_CTX* tls_ctx);
  ~H1Connection() override;

  // Starts a request: connects first if needed. `head` is the serialized
  // request head; the body follows through send_data. `chunked` frames it.
  void start(http::BackendEvents* events, std::string_view head, bool chunked, bool head_request,
             bool expect_body);
  [[nodiscard]] bool reused() const { return requests_ > 1; }
  [[nodiscard]] bool usable() const { return state_ == State::kIdle; }
  // Not connected yet: a new connection, before start() or while it connects.
  [[nodiscard]] bool connecting() const { return state_ == State::kConnecting; }
  // Circuit-breaker units (docs/resilience.md): the cluster's
  // maxConnections unit, held while the connection is open, and the
  // maxPendingRequests unit of the request waiting for it, held until it is
  // up. Given back when the connection is up (pending), closes or goes away.
  void hold(resilience::BreakerSlot connection, resilience::BreakerSlot pending) {
    connection_slot_ = std::move(connection);
    pending_slot_ = std::move(pending);
  }
  // Counted in archway_upstream_connections_active until it closes.
  void count_as(metrics::CountedConnection counted) { counted_ = std::move(counted); }
  [[nodiscard]] const tcp::endpoint& endpoint() const { return endpoint_; }
  [[nodiscard]] Key key() const { return {endpoint_, tls_ctx_}; }
  [[nodiscard]] bool is_tls() const { return transport_->is_tls(); }
  // Idle without a pending read (see above).
  [[nodiscard]] bool unwatched() const { return state_ == State::kIdle && !read_in_flight_; }
  // Idle: posts the read that notices the backend closing the connection.
  void watch();
  // False when the backend has closed (or reset) an unwatched idle
  // connection: a non-blocking MSG_PEEK, no bytes taken.
  [[nodiscard]] bool still_open();
  void close();

  // http::BackendStream
  bool send_data(std::string_view data, bool end_stream) override;
  void send_trailers(const http::Headers& trailers) override;
  void pause_response(bool paused) override;
  void detach(bool complete) override;
  // WebSocket: after a 101 the connection carries raw bytes both ways.
  // Returns false above the queue's watermark (on_backend_drained follows).
  bool send_raw(std::string_view data);

 private:
  enum class State { kConnecting, kIdle, kBusy, kTunnel, kClosed };
  void on_response_body(std::string_view data) override;
  void on_response_head() override;
  void connect();
  void handshake();
  void on_connected();
  void flush();
  void read();
  void on_read(size_t n);
  void fail(http::BackendEvents::Failure failure);
  void finish_response();

  boost::asio::io_context& io_;
  // Behind a pointer because a TLS stream refers to its socket: a connection
  // adopted from an HTTP/2 attempt takes the Transport whole. Allocated once
  // per connection, never per request.
  std::unique_ptr<net::Transport> transport_;
  tcp::endpoint endpoint_;
  SSL_CTX* tls_ctx_ = nullptr;  // the pool key's TLS half; null: plain
  std::weak_ptr<Pool> pool_;
  boost::asio::steady_timer connect_timer_;
  std::chrono::milliseconds connect_timeout_;
  State state_ = State::kConnecting;
  http::BackendEvents* events_ = nullptr;
  std::string out_, writing_;
  bool write_in_flight_ = false;
  bool chunked_ = false;
  bool request_done_ = false;
  bool response_done_ = false;
  bool head_seen_ = false;
  bool head_request_ = false;
  bool paused_ = false;
  bool read_in_flight_ = false;
  bool keep_alive_ = true;
  bool tunnel_ = false;
  uint64_t requests_ = 0;
  std::string in_;
  size_t in_begin_ = 0, in_end_ = 0;
  http::Response response_;
  std::optional<http1::ResponseParser> parser_;
  resilience::BreakerSlot connection_slot_;  // see hold()
  resilience::BreakerSlot pending_slot_;
  metrics::CountedConnection counted_;  // see count_as()
};

}  // namespace archway::backend

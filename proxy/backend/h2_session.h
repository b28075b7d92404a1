#pragma once
// One multiplexed HTTP/2 connection to a backend endpoint (h2c by prior
// knowledge, or h2 by ALPN over TLS), served by an nghttp2 client session.
// A TLS connect whose ALPN does not choose h2 moves its queued requests to
// HTTP/1.1 (h1_fallback.h) and closes the session without failing them. Streams (h2_stream.h)
// are owned here. nghttp2 itself holds back requests above the backend's
// SETTINGS_MAX_CONCURRENT_STREAMS; can_take() bounds that queue.
//
// Lifetime: shared_ptr, held by the H2Sessions set that created it and by
// its own pending I/O handlers. A session that was retired (table swap) or
// got GOAWAY takes no new streams, finishes the ones it has, then closes.
// Worker-thread only.

#include <nghttp2/nghttp2.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proxy/http/message.h"
#include "proxy/metrics/counted_connection.h"
#include "proxy/net/transport.h"

namespace archway::backend {

class H2Sessions;
class H2Stream;

class H2Session final : public std::enable_shared_from_this<H2Session> {
 public:
  using tcp = boost::asio::ip::tcp;
  struct Settings {
    std::chrono::milliseconds connect_timeout{2000};
    SSL_CTX* tls = nullptr;   // HTTPS: owned by the pinned table's ClusterInfo
    std::string server_name;  // SNI and name verified; empty: none
    bool verify = true;
  };
  H2Session(boost::asio::io_context& io, tcp::endpoint endpoint, std::weak_ptr<H2Sessions> owner,
            Settings settings);
  ~H2Session();
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // Takes the stream (moved from `stream`): submitted now when connected,
  // else once connected. False (and `stream` left as it was) when refused.
  [[nodiscard]] bool add(std::unique_ptr<H2Stream>& stream);
  // New streams welcome: not closing, and streams (open + queued) below the
  // backend's concurrency limit plus kMaxQueued.
  [[nodiscard]] bool usable() const;
  [[nodiscard]] bool can_take() const;
  // No new streams; close once the current ones finish.
  void retire();
  // Counted in archway_upstream_connections_active until it closes.
  void count_as(metrics::CountedConnection counted) { counted_ = std::move(counted); }
  void schedule_write();
  [[nodiscard]] nghttp2_session* session() { return session_; }
  [[nodiscard]] boost::asio::io_context& io() { return io_; }
  [[nodiscard]] const tcp::endpoint& endpoint() const { return endpoint_; }
  [[nodiscard]] const Settings& settings() const { return settings_; }
  [[nodiscard]] std::weak_ptr<H2Session> weak() { return weak_from_this(); }
  // A stream with this id, still owned here (nullptr when gone).
  [[nodiscard]] H2Stream* find(int32_t id);
  // A detached pending stream: drop it now (nothing of it is on the stack).
  void drop_pending(H2Stream* stream);

  // Requests waiting for a stream slot, above the backend's limit, before
  // new ones get 503.
  static constexpr size_t kMaxQueued = 256;

 private:
  friend struct H2Callbacks;
  enum class State { kConnecting, kOpen, kClosed };
  void connect();
  void on_connected();
  void fall_back_to_http1();
  bool init_session();
  void read();
  void write();
  void close(http::BackendEvents::Failure failure);
  void maybe_finish();
  void forget();
  void on_stream_close(int32_t id, uint32_t error_code);

  boost::asio::io_context& io_;
  tcp::endpoint endpoint_;
  std::weak_ptr<H2Sessions> owner_;
  Settings settings_;
  metrics::CountedConnection counted_;         // see count_as()
  std::unique_ptr<net::Transport> transport_;  // made by connect()
  boost::asio::steady_timer connect_timer_;
  nghttp2_session* session_ = nullptr;
  State state_ = State::kConnecting;
  bool retired_ = false;
  bool goaway_ = false;  // received one: no new streams here
  bool connect_started_ = false;
  std::map<int32_t, std::unique_ptr<H2Stream>> streams_;
  std::vector<std::unique_ptr<H2Stream>> pending_;  // before the connection is up
  std::string in_, out_;
  bool read_in_flight_ = false;
  bool write_in_flight_ = false;
  bool write_scheduled_ = false;
};

}  // namespace archway::backend

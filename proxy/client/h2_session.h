#pragma once
// A client's HTTP/2 connection (h2c by prior knowledge, or h2 by ALPN),
// served by an nghttp2 server session. nghttp2 enforces the framing and
// HTTP messaging rules of RFC 9113 (h2spec-clean); on top of it we enforce
// what 1.52 lacks or leaves to us: the advertised header-list size, a glitch
// limiter (glitch_limiter.h), flood limits for SETTINGS/PING/CONTINUATION and
// rapid reset, and flow control tied to the backend (a DATA frame's window
// is given back only once the backend took the bytes).
//
// Lifetime: shared_ptr held by pending I/O handlers; worker-thread only.
// Streams (client_stream.h) are owned here and die in on_stream_close.

#include <nghttp2/nghttp2.h>

#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "proxy/client/client_host.h"
#include "proxy/client/connection.h"
#include "proxy/client/h2_glitch_limiter.h"
#include "proxy/client/h2_mem_pool.h"
#include "proxy/net/transport.h"

namespace archway::client {

class H2Stream;

class H2Session final : public client::Connection, public std::enable_shared_from_this<H2Session> {
 public:
  // `initial` holds bytes already read (the sniffed preface).
  static void start(ClientHost& worker, std::unique_ptr<net::Transport> transport,
                    std::string initial);

  H2Session(ClientHost& worker, std::unique_ptr<net::Transport> transport);
  ~H2Session() override;

  void drain() override;
  void close_now() override;

  // Called by streams after they queued frames: sends soon (never inside an
  // nghttp2 callback, so a stream never dies under its own call).
  void schedule_write();
  // Counts a glitch; sends GOAWAY ENHANCE_YOUR_CALM when over the limit.
  void glitch(double weight = 1.0);
  [[nodiscard]] nghttp2_session* session() { return session_; }
  [[nodiscard]] ClientHost& worker() { return worker_; }
  [[nodiscard]] bool is_tls() const { return transport_->is_tls(); }
  [[nodiscard]] const std::string& client_ip() const { return client_ip_; }

 private:
  friend struct Callbacks;
  bool init();
  void feed(const char* data, size_t size);
  void read();
  void on_read(boost::system::error_code ec, size_t n);
  void write();
  void close();
  void arm_idle_timer();
  void arm_idle_timer_at(std::chrono::steady_clock::time_point when);
  H2Stream* stream(int32_t id);
  // limits.headerTimeout for HTTP/2: a stream's head must be complete in time.
  void head_started(int32_t id);
  void head_done(int32_t id);
  void arm_head_timer();

  ClientHost& worker_;
  std::unique_ptr<net::Transport> transport_;
  std::shared_ptr<const exchange::TableContext> table_;  // limits for this connection
  // nghttp2's allocations for session_ (freed in ~H2Session's body).
  MemPool mem_pool_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::unique_ptr<H2Stream>> streams_;
  std::string client_ip_;
  std::string in_;
  std::string out_;
  bool read_in_flight_ = false;
  bool write_in_flight_ = false;
  bool write_scheduled_ = false;
  bool closed_ = false;
  bool draining_ = false;
  bool calm_goaway_sent_ = false;
  uint32_t max_header_bytes_ = 64 * 1024;
  GlitchLimiter glitches_;
  boost::asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point idle_deadline_{}, idle_timer_at_{};
  bool idle_active_ = false;  // no stream since arm_idle_timer, no read
  bool idle_timer_pending_ = false;
  // Streams whose head is incomplete, in stream-id order (so in deadline
  // order: one timeout for all), with their deadline. A vector: an entry
  // lives from HEADERS to END_HEADERS, usually within one read.
  std::vector<std::pair<int32_t, std::chrono::steady_clock::time_point>> heads_pending_;
  boost::asio::steady_timer head_timer_;
  bool head_timer_armed_ = false;
};

}  // namespace archway::client

#pragma once
// A client's HTTP/1.1 connection: keep-alive, chunked bodies, pipelining
// (requests are answered strictly in order: the next head is parsed only
// once the current response is written), WebSocket tunnels after a 101.
// Cleartext connections that open with the HTTP/2 preface are handed to
// H2Session (h2c by prior knowledge).
//
// A malformed head gets 400 and the connection closes: it never reaches a
// backend. Neither does a chunked body's framing error: a chunked request
// is forwarded only once its first chunk header parsed, and the body bytes
// of one read go out only once the parser accepted that whole read (every
// chunk header in it); an error in a later read aborts the backend request
// (its connection is closed, never reused) and the client gets 400.
//
// Lifetime: shared_ptr held by its own pending I/O handlers; worker-thread
// only.

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/client/client_host.h"
#include "proxy/client/connection.h"
#include "proxy/exchange/exchange.h"
#include "proxy/http/message.h"
#include "proxy/http1/request_parser.h"
#include "proxy/net/handler_memory.h"
#include "proxy/net/transport.h"

namespace archway::client {

class H1Connection final : public client::Connection,
                           public http::ResponseSink,
                           public http1::BodyConsumer,
                           public std::enable_shared_from_this<H1Connection> {
 public:
  H1Connection(ClientHost& worker, std::unique_ptr<net::Transport> transport, bool sniff_h2c);
  ~H1Connection() override;
  void start();

  // client::Connection
  void drain() override;
  void close_now() override;

  // http::ResponseSink
  void send_response_head(http::Response& head, bool end_stream) override;
  void send_response_data(std::string_view data, bool end_stream) override;
  void send_response_trailers(http::Headers& trailers) override;
  void abort_response() override;
  [[nodiscard]] size_t response_buffered() const override { return out_.size() + writing_.size(); }
  void resume_request_body() override;
  void start_tunnel() override;

 private:
  enum class Phase { kHead, kBody, kWaitResponse, kTunnel, kClosed };
  void on_body_bytes(std::string_view data) override;
  void process();
  bool parse_head();
  bool parse_body();
  // The exchange of a chunked request starts once its first chunk header
  // parsed (start_pending_ until then).
  void start_exchange();
  // Sends the body pieces the last put() parsed; false once paused.
  void forward_body();
  void reject_body(int status, std::string_view message);
  void read();
  void flush();
  void schedule_flush();
  void finish_exchange();
  void reject(int status, std::string_view message);
  // reject() for a head refused before it parsed (408, 431, framing), with
  // its access-log line.
  void reject_head(int status, std::string_view message);
  void close();
  void arm_head_timer();
  void arm_head_timer_at(std::chrono::steady_clock::time_point when);

  ClientHost& worker_;
  std::unique_ptr<net::Transport> transport_;
  std::shared_ptr<const exchange::TableContext> table_;  // pinned per request
  std::string client_ip_;
  bool sniff_h2c_;
  Phase phase_ = Phase::kHead;
  std::string in_;
  size_t in_begin_ = 0, in_end_ = 0;
  bool read_in_flight_ = false;
  bool flush_scheduled_ = false;
  std::string out_, writing_;
  net::HandlerMemory write_memory_;  // the one write in flight (net/handler_memory.h)
  bool write_in_flight_ = false;
  http::Request request_;
  std::optional<http1::RequestParser> parser_;
  std::optional<exchange::Exchange> exchange_;  // in place: no allocation per request
  bool start_pending_ = false;
  // Body bytes parsed by the current put(): views into in_, forwarded once
  // put() returned without error. Capacity kept across requests.
  std::vector<std::string_view> body_pieces_;
  // While an exchange runs no read may be pending (pipelined bytes wait), so
  // the connection keeps itself alive; released in finish_exchange/close.
  std::shared_ptr<H1Connection> self_;
  bool body_paused_ = false;
  bool response_done_ = false;
  bool chunked_out_ = false;
  bool head_request_ = false;
  bool close_after_response_ = false;
  bool draining_ = false;
  bool processing_ = false;
  // Head/idle timer, armed lazily: it stays pending across requests and is
  // moved only when a deadline comes earlier; when it fires it checks
  // head_deadline_ (no timer operation per request).
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point head_deadline_{};
  std::chrono::steady_clock::time_point timer_at_{};
  bool head_deadline_set_ = false;
  bool header_deadline_ = false;  // head_deadline_ is the header (not idle) timeout
  bool timer_armed_ = false;
  uint64_t requests_ = 0;
};

}  // namespace archway::client

#pragma once
// One HTTP/2 request stream on a H2Session: collects the request head
// from nghttp2's header callbacks, owns the Exchange, and is the exchange's
// ResponseSink (response body through an nghttp2 data provider that defers
// when empty). Worker-thread only; owned by the session.

#include <nghttp2/nghttp2.h>

#include <memory>
#include <string>

#include "proxy/exchange/exchange.h"
#include "proxy/http/message.h"
#include "proxy/net/recycled.h"

namespace archway::client {

class H2Session;

class H2Stream final : public http::ResponseSink, public net::Recycled<H2Stream> {
 public:
  H2Stream(H2Session& session, int32_t id);
  ~H2Stream() override;

  // Head collection. Returns false to reset the stream (header list too big).
  bool on_header(std::string_view name, std::string_view value, uint32_t max_bytes);
  void on_head_complete(bool end_stream);
  void on_trailers_complete();
  void on_data(const uint8_t* data, size_t len);
  void on_end_stream();
  void on_reset_by_client();
  [[nodiscard]] bool head_done() const { return head_done_; }
  // The head declared a length of 0 without END_STREAM: it waits for
  // END_STREAM before any exchange starts (bounded by limits.headerTimeout,
  // like an incomplete head).
  [[nodiscard]] bool head_held() const { return head_held_; }
  [[nodiscard]] bool response_complete() const;

  // http::ResponseSink
  void send_response_head(http::Response& head, bool end_stream) override;
  void send_response_data(std::string_view data, bool end_stream) override;
  void send_response_trailers(http::Headers& trailers) override;
  void abort_response() override;
  [[nodiscard]] size_t response_buffered() const override { return body_.size() - body_off_; }
  void resume_request_body() override;
  void start_tunnel() override;
  // RFC 8441 WebSocket stream whose 200 went out: DATA is tunnel bytes.
  [[nodiscard]] bool is_tunnel() const { return tunnel_; }

  // nghttp2 data source callback.
  static ssize_t read_body(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* user_data);

 private:
  void resume();
  void start_exchange();
  void on_tunnel_data(std::string_view bytes);
  // The held DATA (see held_tail_) goes to the backend, with END_STREAM or
  // before trailers.
  void release_tail(bool end_stream);
  H2Session& session_;
  int32_t id_;
  http::Request request_;
  http::Headers trailers_in_;
  size_t header_bytes_ = 0;
  bool head_done_ = false;
  bool in_trailers_ = false;
  std::unique_ptr<exchange::Exchange> exchange_;
  // Response body waiting for the peer's window; bounded by the exchange's
  // watermark check (response_buffered).
  std::string body_;
  size_t body_off_ = 0;
  bool body_eof_ = false;
  bool deferred_ = false;
  bool response_submitted_ = false;
  http::Headers trailers_out_;
  bool has_trailers_ = false;
  size_t unconsumed_ = 0;  // request bytes the backend has not taken yet
  bool body_paused_ = false;
  // RFC 9113 §8.1.1: DATA that disagrees with content-length makes the
  // request malformed, and nghttp2 resets the stream when it sees that. A
  // backend must never hold the request whole before then: a declared 0
  // holds the head (head_held_), and the DATA piece that completes a
  // declared length waits here for END_STREAM (one frame at most, 16 KiB).
  bool head_held_ = false;
  uint64_t data_received_ = 0;
  std::string held_tail_;
  bool tail_held_ = false;
  // RFC 8441 (extended_connect.h): the :protocol of a CONNECT; the stream
  // is a WebSocket (extended_connect_), its tunnel open once the backend
  // answered 101 (tunnel_). DATA before that waits in early_tunnel_, its
  // window not given back (so at most one stream window).
  std::string protocol_;
  bool extended_connect_ = false;
  bool tunnel_ = false;
  std::string early_tunnel_;
};

}  // namespace archway::client

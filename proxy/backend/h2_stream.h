#pragma once
// One request on a backend HTTP/2 session (h2_session.h): the exchange's
// http::BackendStream. The request body goes out through an nghttp2 data
// provider reading a queue bounded by http::kHighWatermark (send_data
// returns false above it); the response arrives through the session's
// callbacks, and its window is given back (nghttp2_session_consume) only
// while the exchange is not paused, so a slow client stops the backend
// after one stream window.
//
// Ownership: the session owns the stream (by id once submitted, in its
// pending queue before). The exchange holds a raw pointer until detach();
// a stream that fails tells the exchange first (on_backend_failure), which
// then never touches it again. Worker-thread only.

#include <nghttp2/nghttp2.h>

#include <string>
#include <string_view>

#include "proxy/http/message.h"

namespace archway::backend {

class H2Session;

class H2Stream final : public http::BackendStream {
 public:
  // `request_head` is the whole HTTP/2 header list, pseudo-fields first.
  H2Stream(http::BackendEvents* events, http::Headers request_head, bool has_body);
  ~H2Stream() override;

  // --- http::BackendStream (the exchange) ---
  bool send_data(std::string_view data, bool end_stream) override;
  void send_trailers(const http::Headers& trailers) override;
  void pause_response(bool paused) override;
  void detach(bool complete) override;

  // --- The session ---
  // Submits the request on `session` (HEADERS, then DATA as it comes).
  // Returns false when nghttp2 refused it.
  bool submit(H2Session& session);
  // Queued on `session` until its connection is up.
  void attach(H2Session* session) { session_ = session; }
  void on_header(std::string_view name, std::string_view value);
  void on_headers_end(bool end_stream);
  void on_data(const uint8_t* data, size_t len);
  void on_data_end();
  // nghttp2 closed the stream. Returns true when the stream should be
  // retried on a new stream (REFUSED_STREAM before anything was received or
  // any body byte left: RFC 9113 §8.7 says the request was not processed).
  bool on_close(uint32_t error_code);
  // The connection failed: report it to the exchange, if any.
  void fail(http::BackendEvents::Failure failure);
  [[nodiscard]] bool detached() const { return events_ == nullptr; }
  [[nodiscard]] int32_t id() const { return id_; }
  // Called (posted) after the provider drained the queue below the mark.
  void notify_drained();

  // --- Before submit: what a fallback to HTTP/1.1 carries over
  // (h1_fallback.h). The exchange's events, the head, and the body and
  // trailers it gave so far.
  [[nodiscard]] http::BackendEvents* events() const { return events_; }
  [[nodiscard]] const http::Headers& request_head() const { return request_head_; }
  [[nodiscard]] bool has_body() const { return has_body_; }
  [[nodiscard]] std::string_view unsent_body() const {
    return std::string_view(out_).substr(out_off_);
  }
  [[nodiscard]] bool body_complete() const { return out_eof_; }
  [[nodiscard]] const http::Headers* trailers() const {
    return has_trailers_ ? &trailers_out_ : nullptr;
  }
  // The request moved elsewhere: this stream tells the exchange nothing more.
  void disown() { events_ = nullptr; }

  static ssize_t read_body(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* user_data);

 private:
  void resume_provider();

  H2Session* session_ = nullptr;
  http::BackendEvents* events_;
  http::Headers request_head_;
  bool has_body_;
  int32_t id_ = 0;
  // Request body not yet taken by nghttp2 (bounded by the watermark).
  std::string out_;
  size_t out_off_ = 0;
  bool out_eof_ = false;
  bool deferred_ = false;
  bool body_sent_ = false;  // a DATA byte left: a retry is no longer safe
  bool retried_ = false;
  bool drain_posted_ = false;
  http::Headers trailers_out_;
  bool has_trailers_ = false;
  // Response being assembled.
  http::Response response_;
  http::Headers trailers_in_;
  bool head_done_ = false;
  bool response_done_ = false;
  bool paused_ = false;
  size_t unconsumed_ = 0;
};

}  // namespace archway::backend

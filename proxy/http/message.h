#pragma once
// The request and response heads that travel between a client codec
// (http1/, http2/) and a backend codec (backend/), plus the two interfaces
// an Exchange (server/exchange.h) uses to talk to each side. Everything here
// lives on one worker thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/http/headers.h"

namespace archway::backend {
class H1Connection;
}

namespace archway::http {

struct Request {
  std::string method;
  std::string scheme;     // "http" | "https": what the client used
  std::string authority;  // Host / :authority as received
  std::string target;     // origin-form path [? query]
  Headers headers;        // regular fields; hop-by-hop fields already removed
  std::optional<uint64_t> content_length;
  bool has_body = false;     // body bytes follow the head
  bool websocket = false;    // HTTP/1.1 Upgrade: websocket
  bool te_trailers = false;  // client sent "te: trailers" (gRPC)
  int version = 11;          // 10, 11 or 20
  std::string client_ip;
  // Set by a codec whose checks found the head malformed only after it
  // parsed (HTTP/2: Host against :authority). The exchange answers 400 with
  // this message and forwards nothing. Points to a string literal.
  const char* malformed = nullptr;

  void clear() {
    method.clear();
    scheme.clear();
    authority.clear();
    target.clear();
    headers.clear();
    content_length.reset();
    has_body = false;
    websocket = false;
    te_trailers = false;
    version = 11;
    client_ip.clear();
    malformed = nullptr;
  }
};

struct Response {
  int status = 200;
  Headers headers;  // hop-by-hop removed
  std::optional<uint64_t> content_length;
};

[[nodiscard]] inline const Header* find_header(const Headers& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

// The client side of one exchange: an HTTP/1 connection or an HTTP/2 stream.
// The exchange calls these; the sink copies what it needs. Sinks never
// destroy the exchange from inside one of these calls.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void send_response_head(Response& head, bool end_stream) = 0;
  virtual void send_response_data(std::string_view data, bool end_stream) = 0;
  virtual void send_response_trailers(Headers& trailers) = 0;
  // After a head was sent, the response cannot be completed: reset the
  // stream (h2) or close the connection (h1).
  virtual void abort_response() = 0;
  // Bytes queued towards the client and not yet written; the exchange stops
  // reading the backend above a watermark and resumes on response_drained.
  [[nodiscard]] virtual size_t response_buffered() const = 0;
  // The backend accepted more request body: the client may send more.
  virtual void resume_request_body() = 0;
  // WebSocket: the backend answered 101; from now on send_response_data
  // carries raw tunnel bytes and the client's bytes go to on_tunnel_data.
  virtual void start_tunnel() = 0;
};

// Events from a backend stream to the exchange that owns it.
class BackendEvents {
 public:
  virtual ~BackendEvents() = default;
  // kRefused: HTTP/2 REFUSED_STREAM (RFC 9113 §8.7), the backend did not
  // process the request; otherwise a reset.
  enum class Failure { kConnect, kReset, kTimeout, kProtocol, kRefused };
  virtual void on_backend_head(Response& head, bool end_stream) = 0;
  virtual void on_backend_data(std::string_view data, bool end_stream) = 0;
  virtual void on_backend_trailers(Headers& trailers) = 0;
  virtual void on_backend_failure(Failure failure) = 0;
  // The backend's send queue fell below its watermark.
  virtual void on_backend_drained() = 0;
  // Before any byte of the request left, it moved to `connection` (an HTTPS
  // backend whose ALPN chose http/1.1 over h2, backend/h1_fallback.h): the
  // old stream is gone; talk to `connection` from now on.
  virtual void on_backend_replaced(std::shared_ptr<backend::H1Connection> connection) = 0;
};

// A request in flight on a backend connection (HTTP/1) or stream (HTTP/2).
class BackendStream {
 public:
  virtual ~BackendStream() = default;
  // Returns false when the queue is above its watermark: stop feeding until
  // BackendEvents::on_backend_drained.
  virtual bool send_data(std::string_view data, bool end_stream) = 0;
  virtual void send_trailers(const Headers& trailers) = 0;
  virtual void pause_response(bool paused) = 0;
  // The exchange is gone: no more events; free or recycle the connection.
  virtual void detach(bool complete) = 0;
};

// Queue watermark for both directions (bytes). 64 KiB keeps a 16 KiB read
// buffer and an HTTP/2 default window flowing without unbounded growth.
inline constexpr size_t kHighWatermark = 64 * 1024;

}  // namespace archway::http

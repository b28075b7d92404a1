#include "proxy/backend/h1_fallback.h"

#include "proxy/backend/h1_connection.h"
#include "proxy/backend/h2_stream.h"

namespace archway::backend {

std::string http1_head_from_h2(const http::Headers& h2_head, bool has_body, bool& chunked) {
  std::string_view method, path, authority;
  bool has_length = false;
  size_t size = 32;
  for (const auto& h : h2_head) {
    if (h.name == ":method") method = h.value;
    if (h.name == ":path") path = h.value;
    if (h.name == ":authority") authority = h.value;
    if (h.name == "content-length") has_length = true;
    size += h.name.size() + h.value.size() + 4;
  }
  std::string head;
  head.reserve(size + 32);
  head.append(method).append(" ").append(path).append(" HTTP/1.1\r\nhost: ");
  head.append(authority).append("\r\n");
  for (const auto& h : h2_head) {
    if (h.name.empty() || h.name.front() == ':' || h.name == "te") continue;
    head.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  chunked = has_body && !has_length;
  if (chunked) head.append("transfer-encoding: chunked\r\n");
  head.append("\r\n");
  return head;
}

void carry_over_to_http1(H2Stream& stream, const std::shared_ptr<H1Connection>& connection) {
  http::BackendEvents* events = stream.events();
  stream.disown();
  const auto& h2_head = stream.request_head();
  bool chunked = false;
  const std::string head = http1_head_from_h2(h2_head, stream.has_body(), chunked);
  const auto* method = http::find_header(h2_head, ":method");
  const bool head_request = method != nullptr && method->value == "HEAD";
  // First the exchange switches over, then the connection may report to it.
  events->on_backend_replaced(connection);
  connection->start(events, head, chunked, head_request, stream.has_body());
  if (!stream.has_body()) return;
  const std::string_view body = stream.unsent_body();
  const http::Headers* trailers = stream.trailers();
  if (!body.empty() || (stream.body_complete() && trailers == nullptr)) {
    // The return value (watermark) needs no answer: a connection that
    // writes tells the exchange on_backend_drained.
    (void)connection->send_data(body, stream.body_complete() && trailers == nullptr);
  }
  if (trailers != nullptr) connection->send_trailers(*trailers);
}

}  // namespace archway::backend

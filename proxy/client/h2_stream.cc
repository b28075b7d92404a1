#include "proxy/client/h2_stream.h"

#include <boost/asio/post.hpp>

#include <array>
#include <cstring>
#include <vector>

#include "proxy/client/h2_authority_check.h"
#include "proxy/client/h2_extended_connect.h"
#include "proxy/client/h2_session.h"
#include "proxy/http/hop_by_hop.h"

namespace archway::client {

namespace {

nghttp2_nv make_nv(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

H2Stream::H2Stream(H2Session& session, int32_t id) : session_(session), id_(id) {
  request_.version = 20;
  request_.headers.reserve(8);  // one allocation for a typical head, plus forwarding fields
  request_.scheme = session.is_tls() ? "https" : "http";
  request_.client_ip = session.client_ip();
}

H2Stream::~H2Stream() {
  if (exchange_) exchange_->on_client_gone();
}

bool H2Stream::on_header(std::string_view name, std::string_view value, uint32_t max_bytes) {
  // RFC 9113 §6.5.2: the advertised limit counts name + value + 32 each;
  // nghttp2 1.52 advertises but does not enforce it.
  header_bytes_ += name.size() + value.size() + 32;
  if (header_bytes_ > max_bytes) return false;
  if (in_trailers_) {
    trailers_in_.push_back({std::string(name), std::string(value)});
    return true;
  }
  if (!name.empty() && name.front() == ':') {
    if (name == ":method") {
      request_.method.assign(value);
    } else if (name == ":path") {
      request_.target.assign(value);
    } else if (name == ":authority") {
      request_.authority.assign(value);
    } else if (name == ":scheme") {
      // The client's scheme claim; forwarding headers use the transport's.
    } else if (name == ":protocol") {
      protocol_.assign(value);  // nghttp2 allows it on CONNECT only
    }
    return true;
  }
  if (name == "host") {
    // Pseudo-fields come first (nghttp2 checks), so :authority is known.
    if (request_.authority.empty()) {
      request_.authority.assign(value);
    } else if (!same_authority(request_.authority, value, request_.scheme)) {
      request_.malformed = "host differs from :authority";
    }
    return true;
  }
  if (name == "te") {
    request_.te_trailers = true;  // nghttp2 allows only "trailers"
    return true;
  }
  if (name == "content-length") {
    uint64_t n = 0;
    for (char c : value) n = n * 10 + static_cast<uint64_t>(c - '0');  // validated by nghttp2
    request_.content_length = n;
    return true;
  }
  if (name == "cookie") {
    // RFC 9113 §8.2.3: crumbs are joined with "; " for an HTTP/1 hop.
    for (auto& h : request_.headers) {
      if (h.name == "cookie") {
        h.value.append("; ").append(value);
        return true;
      }
    }
  }
  request_.headers.push_back({std::string(name), std::string(value)});
  return true;
}

void H2Stream::on_head_complete(bool end_stream) {
  head_done_ = true;
  in_trailers_ = true;
  header_bytes_ = 0;
  request_.has_body = !end_stream;
  if (end_stream) request_.content_length.reset();
  if (request_.method == "CONNECT" && request_.malformed == nullptr) {
    std::array<uint8_t, 16> key;
    auto& rng = session_.worker().rng();
    for (size_t i = 0; i < key.size(); i += 8) {
      const uint64_t r = rng();
      std::memcpy(key.data() + i, &r, 8);
    }
    request_.malformed = to_websocket_upgrade(request_, protocol_, key);
    extended_connect_ = request_.malformed == nullptr;
  }
  if (!end_stream && request_.content_length == 0u) {
    // Nothing to stream, so holding costs nothing; what comes next is
    // END_STREAM (forwarded then) or DATA (nghttp2 resets the stream).
    head_held_ = true;
    return;
  }
  start_exchange();
}

void H2Stream::start_exchange() {
  exchange_ =
      std::make_unique<exchange::Exchange>(session_.worker(), session_.worker().table(), *this);
  exchange_->start(request_);
}

void H2Stream::on_trailers_complete() {
  if (head_held_) {
    head_held_ = false;
    start_exchange();
  }
  if (!exchange_) return;
  release_tail(false);
  if (exchange_) exchange_->on_request_trailers(trailers_in_);
}

void H2Stream::on_data(const uint8_t* data, size_t len) {
  if (!exchange_) {
    nghttp2_session_consume(session_.session(), id_, len);
    return;
  }
  const std::string_view bytes(reinterpret_cast<const char*>(data), len);
  if (extended_connect_) {
    on_tunnel_data(bytes);
    return;
  }
  data_received_ += len;
  if (request_.content_length && data_received_ == *request_.content_length) {
    // Usually END_STREAM is on this very frame and the piece leaves in the
    // same read, with the end of the request.
    held_tail_.assign(bytes);
    tail_held_ = true;
    nghttp2_session_consume(session_.session(), id_, len);
    return;
  }
  const bool more = exchange_->on_request_data(bytes, false);
  if (body_paused_ || !more) {
    // Hold the window: the client stops once it has sent what it may.
    unconsumed_ += len;
    body_paused_ = true;
  } else {
    nghttp2_session_consume(session_.session(), id_, len);
  }
}

void H2Stream::on_tunnel_data(std::string_view bytes) {
  if (!tunnel_) {
    // Before the 200: kept, and its window held, until the tunnel opens.
    early_tunnel_.append(bytes);
    unconsumed_ += bytes.size();
    body_paused_ = true;
    return;
  }
  const bool more = exchange_->on_tunnel_data(bytes);
  if (body_paused_ || !more) {
    unconsumed_ += bytes.size();
    body_paused_ = true;
  } else {
    nghttp2_session_consume(session_.session(), id_, bytes.size());
  }
}

void H2Stream::start_tunnel() {
  tunnel_ = true;
  if (early_tunnel_.empty()) {
    resume_request_body();
    return;
  }
  // Posted: we are inside the backend connection's read handler.
  boost::asio::post(session_.worker().io(), [weak = session_.weak_from_this(), id = id_] {
    auto s = weak.lock();
    if (!s) return;
    auto* self = static_cast<H2Stream*>(nghttp2_session_get_stream_user_data(s->session(), id));
    if (self == nullptr || !self->exchange_) return;
    const bool more = self->exchange_->on_tunnel_data(self->early_tunnel_);
    self->early_tunnel_ = std::string();
    if (more) self->resume_request_body();
  });
}

void H2Stream::release_tail(bool end_stream) {
  if (!tail_held_) {
    if (end_stream) exchange_->on_request_data({}, true);
    return;
  }
  tail_held_ = false;
  exchange_->on_request_data(held_tail_, end_stream);
  held_tail_ = std::string();
}

void H2Stream::on_end_stream() {
  // A tunnel ends with the backend's close (the WebSocket closing
  // handshake ends with it) or its idle timeout.
  if (extended_connect_) return;
  if (head_held_) {
    head_held_ = false;
    request_.has_body = false;
    request_.content_length.reset();
    start_exchange();
    return;
  }
  if (exchange_) release_tail(true);
}

void H2Stream::resume_request_body() {
  body_paused_ = false;
  if (unconsumed_ > 0) {
    nghttp2_session_consume(session_.session(), id_, unconsumed_);
    unconsumed_ = 0;
    session_.schedule_write();
  }
}

void H2Stream::on_reset_by_client() {
  if (exchange_) {
    exchange_->on_client_gone();
    exchange_.reset();
  }
}

bool H2Stream::response_complete() const {
  return exchange_ == nullptr || exchange_->response_complete();
}

void H2Stream::send_response_head(http::Response& head, bool end_stream) {
  // On the stack for a usual head; nghttp2 copies the fields.
  constexpr size_t kInline = 24;
  std::array<nghttp2_nv, kInline> inline_nva;
  std::vector<nghttp2_nv> heap_nva;
  nghttp2_nv* nva = inline_nva.data();
  if (head.headers.size() + 2 > kInline) {
    heap_nva.resize(head.headers.size() + 2);
    nva = heap_nva.data();
  }
  size_t count = 0;
  auto push = [&](const nghttp2_nv& nv) { nva[count++] = nv; };
  // RFC 8441 §5: the backend's 101 is the client's 200; Sec-WebSocket-Accept
  // belongs to the backend's handshake only.
  const bool upgraded = extended_connect_ && head.status == 101;
  const std::string status = std::to_string(upgraded ? 200 : head.status);
  push(make_nv(":status", status));
  std::string length;
  if (head.content_length) {
    length = std::to_string(*head.content_length);
    push(make_nv("content-length", length));
  }
  for (const auto& h : head.headers) {
    // Defence in depth: never emit connection-specific fields on h2.
    if (http::is_hop_by_hop(h.name) || h.name.empty() || h.name.front() == ':') continue;
    if (upgraded && h.name == "sec-websocket-accept") continue;
    push(make_nv(h.name, h.value));
  }
  response_submitted_ = true;
  body_eof_ = end_stream;
  if (end_stream) {
    nghttp2_submit_response(session_.session(), id_, nva, count, nullptr);
  } else {
    nghttp2_data_provider provider{};
    provider.source.ptr = this;
    provider.read_callback = &H2Stream::read_body;
    nghttp2_submit_response(session_.session(), id_, nva, count, &provider);
  }
  session_.schedule_write();
}

void H2Stream::send_response_data(std::string_view data, bool end_stream) {
  if (body_off_ > 0 && body_off_ == body_.size()) {
    body_.clear();
    body_off_ = 0;
  }
  body_.append(data);
  if (end_stream) body_eof_ = true;
  resume();
}

void H2Stream::send_response_trailers(http::Headers& trailers) {
  trailers_out_ = std::move(trailers);
  has_trailers_ = true;
  body_eof_ = true;
  resume();
}

void H2Stream::resume() {
  if (deferred_) {
    deferred_ = false;
    nghttp2_session_resume_data(session_.session(), id_);
  }
  session_.schedule_write();
}

void H2Stream::abort_response() {
  if (tunnel_) {
    // The tunnel's end (backend closed, idle timeout) is END_STREAM after
    // what is queued, like a TCP FIN (RFC 9113 §8.5); the session then
    // resets the client's half with NO_ERROR (client_session.cc).
    body_eof_ = true;
    resume();
    return;
  }
  nghttp2_submit_rst_stream(session_.session(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_INTERNAL_ERROR);
  session_.schedule_write();
}

ssize_t H2Stream::read_body(nghttp2_session* session, int32_t stream_id, uint8_t* buf,
                            size_t length, uint32_t* data_flags, nghttp2_data_source* source,
                            void*) {
  auto* self = static_cast<H2Stream*>(source->ptr);
  const size_t avail = self->body_.size() - self->body_off_;
  const size_t n = std::min(avail, length);
  if (n > 0) {
    std::memcpy(buf, self->body_.data() + self->body_off_, n);
    self->body_off_ += n;
  }
  if (self->body_off_ == self->body_.size()) {
    self->body_.clear();
    self->body_off_ = 0;
    if (self->body_eof_) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      if (self->has_trailers_) {
        *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        std::vector<nghttp2_nv> nva;
        for (const auto& h : self->trailers_out_) nva.push_back(make_nv(h.name, h.value));
        nghttp2_submit_trailer(session, stream_id, nva.data(), nva.size());
      }
    } else if (n == 0) {
      self->deferred_ = true;
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  // Below the watermark again: let the backend send more. Posted, because
  // we are inside nghttp2_session_mem_send.
  if (n > 0 && self->exchange_ && self->exchange_->backend_paused() &&
      self->response_buffered() < http::kHighWatermark / 2) {
    boost::asio::post(
        self->session_.worker().io(), [weak = self->session_.weak_from_this(), stream_id] {
          auto s = weak.lock();
          if (!s) return;
          auto* data =
              static_cast<H2Stream*>(nghttp2_session_get_stream_user_data(s->session(), stream_id));
          if (data && data->exchange_) data->exchange_->on_client_drained();
        });
  }
  return static_cast<ssize_t>(n);
}

}  // namespace archway::client

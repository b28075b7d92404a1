#include "proxy/backend/h2_stream.h"

#include <boost/asio/post.hpp>

#include <charconv>
#include <cstring>
#include <vector>

#include "proxy/backend/h2_session.h"
#include "proxy/http/hop_by_hop.h"

namespace archway::backend {

namespace {

nghttp2_nv make_nv(const http::Header& h) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(h.name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(h.value.data())), h.name.size(),
                    h.value.size(), NGHTTP2_NV_FLAG_NONE};
}

std::vector<nghttp2_nv> make_nva(const http::Headers& headers) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size());
  for (const auto& h : headers) nva.push_back(make_nv(h));
  return nva;
}

}  // namespace

H2Stream::H2Stream(http::BackendEvents* events, http::Headers request_head, bool has_body)
    : events_(events), request_head_(std::move(request_head)), has_body_(has_body) {
  out_eof_ = !has_body;
}

H2Stream::~H2Stream() = default;

bool H2Stream::submit(H2Session& session) {
  session_ = &session;
  const auto nva = make_nva(request_head_);
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = &H2Stream::read_body;
  deferred_ = false;
  id_ = nghttp2_submit_request(session.session(), nullptr, nva.data(), nva.size(),
                               has_body_ ? &provider : nullptr, this);
  if (id_ < 0) {
    id_ = 0;
    return false;
  }
  session.schedule_write();
  return true;
}

bool H2Stream::send_data(std::string_view data, bool end_stream) {
  if (out_off_ > 0 && out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  out_.append(data);
  if (end_stream) out_eof_ = true;
  resume_provider();
  return out_.size() - out_off_ < http::kHighWatermark;
}

void H2Stream::send_trailers(const http::Headers& trailers) {
  for (const auto& h : trailers) {
    if (!http::is_hop_by_hop(h.name)) trailers_out_.push_back(h);
  }
  has_trailers_ = !trailers_out_.empty();
  out_eof_ = true;
  resume_provider();
}

void H2Stream::resume_provider() {
  if (session_ == nullptr || id_ <= 0) return;  // not submitted yet: read later
  if (deferred_) {
    deferred_ = false;
    nghttp2_session_resume_data(session_->session(), id_);
  }
  session_->schedule_write();
}

ssize_t H2Stream::read_body(nghttp2_session* session, int32_t stream_id, uint8_t* buf,
                            size_t length, uint32_t* data_flags, nghttp2_data_source* source,
                            void*) {
  auto* self = static_cast<H2Stream*>(source->ptr);
  const size_t avail = self->out_.size() - self->out_off_;
  const size_t n = std::min(avail, length);
  if (n > 0) {
    std::memcpy(buf, self->out_.data() + self->out_off_, n);
    self->out_off_ += n;
    self->body_sent_ = true;
  }
  if (self->out_off_ == self->out_.size()) {
    self->out_.clear();
    self->out_off_ = 0;
    if (self->out_eof_) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      if (self->has_trailers_) {
        *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        const auto nva = make_nva(self->trailers_out_);
        nghttp2_submit_trailer(session, stream_id, nva.data(), nva.size());
      }
    } else if (n == 0) {
      self->deferred_ = true;
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  // Below the watermark: let the client send more. Posted, because we are
  // inside nghttp2_session_mem_send and the exchange may feed us at once.
  if (n > 0 && !self->drain_posted_ && self->events_ != nullptr &&
      self->out_.size() - self->out_off_ < http::kHighWatermark / 2) {
    self->drain_posted_ = true;
    boost::asio::post(self->session_->io(), [weak = self->session_->weak(), stream_id] {
      auto s = weak.lock();
      if (!s) return;
      if (auto* stream = s->find(stream_id)) stream->notify_drained();
    });
  }
  return static_cast<ssize_t>(n);
}

void H2Stream::notify_drained() {
  drain_posted_ = false;
  if (events_ != nullptr) events_->on_backend_drained();
}

void H2Stream::pause_response(bool paused) {
  if (paused_ == paused) return;
  paused_ = paused;
  if (!paused_ && unconsumed_ > 0 && session_ != nullptr && id_ > 0) {
    nghttp2_session_consume(session_->session(), id_, unconsumed_);
    unconsumed_ = 0;
    session_->schedule_write();
  }
}

void H2Stream::detach(bool complete) {
  events_ = nullptr;
  if (session_ == nullptr) return;
  if (id_ <= 0) {
    session_->drop_pending(this);  // destroys this: nothing may follow
    return;
  }
  // Give back what the exchange never consumed, so the connection window
  // does not shrink for the other streams.
  if (unconsumed_ > 0) {
    nghttp2_session_consume(session_->session(), id_, unconsumed_);
    unconsumed_ = 0;
  }
  const bool finished = complete && response_done_ && out_eof_ && out_off_ == out_.size();
  if (!finished && nghttp2_session_find_stream(session_->session(), id_) != nullptr) {
    nghttp2_submit_rst_stream(session_->session(), NGHTTP2_FLAG_NONE, id_, NGHTTP2_CANCEL);
  }
  session_->schedule_write();
}

void H2Stream::on_header(std::string_view name, std::string_view value) {
  if (head_done_) {
    trailers_in_.push_back({std::string(name), std::string(value)});
    return;
  }
  if (name == ":status") {
    int status = 0;
    std::from_chars(value.data(), value.data() + value.size(), status);
    response_.status = status;
    return;
  }
  if (!name.empty() && name.front() == ':') return;
  if (name == "content-length") {
    uint64_t n = 0;
    std::from_chars(value.data(), value.data() + value.size(), n);  // validated by nghttp2
    response_.content_length = n;
    return;
  }
  if (http::is_hop_by_hop(name)) return;
  response_.headers.push_back({std::string(name), std::string(value)});
}

void H2Stream::on_headers_end(bool end_stream) {
  if (!head_done_) {
    if (response_.status >= 100 && response_.status < 200) {
      response_ = http::Response{};  // interim response: wait for the final one
      return;
    }
    head_done_ = true;
    if (end_stream) response_done_ = true;  // e.g. a gRPC trailers-only response
    if (events_ != nullptr) events_->on_backend_head(response_, end_stream);
    return;
  }
  response_done_ = true;  // trailers always end the stream
  if (events_ != nullptr) events_->on_backend_trailers(trailers_in_);
}

void H2Stream::on_data(const uint8_t* data, size_t len) {
  if (events_ != nullptr && len > 0) {
    events_->on_backend_data(std::string_view(reinterpret_cast<const char*>(data), len), false);
  }
  if (events_ != nullptr && paused_) {
    unconsumed_ += len;  // window held: the backend stops after one window
  } else {
    nghttp2_session_consume(session_->session(), id_, len);
  }
}

void H2Stream::on_data_end() {
  response_done_ = true;
  if (events_ != nullptr) events_->on_backend_data({}, true);
}

bool H2Stream::on_close(uint32_t error_code) {
  if (events_ == nullptr || response_done_) return false;
  if (error_code == NGHTTP2_REFUSED_STREAM && !retried_ && !head_done_ && !body_sent_) {
    retried_ = true;
    id_ = 0;
    session_ = nullptr;
    deferred_ = false;
    return true;
  }
  auto* events = events_;
  events_ = nullptr;
  // Refused again after the one retry here, or refused after part of the
  // request went: the exchange's retry policy decides (refused-stream).
  events->on_backend_failure(error_code == NGHTTP2_REFUSED_STREAM && !head_done_
                                 ? http::BackendEvents::Failure::kRefused
                                 : http::BackendEvents::Failure::kReset);
  return false;
}

void H2Stream::fail(http::BackendEvents::Failure failure) {
  auto* events = events_;
  events_ = nullptr;
  if (events != nullptr && !response_done_) events->on_backend_failure(failure);
}

}  // namespace archway::backend

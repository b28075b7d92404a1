#include "proxy/backend/h2_session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <algorithm>

#include "proxy/backend/h1_connection.h"
#include "proxy/backend/h1_fallback.h"
#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/h2_stream.h"
#include "proxy/tls/client_tls.h"
#include "proxy/tls/server_tls.h"

namespace archway::backend {

namespace asio = boost::asio;
using Failure = http::BackendEvents::Failure;

namespace {

constexpr size_t kReadSize = 16 * 1024;
// Per-stream receive window: what a backend may send a paused (slow) client
// before it must wait. 256 KiB keeps a 64 MiB download fast on loopback
// while a stalled stream costs at most that much.
constexpr int32_t kStreamWindow = 256 * 1024;
// Connection window: enough for many streams at full window at once.
constexpr int32_t kConnectionWindow = 16 * 1024 * 1024;

}  // namespace

struct H2Callbacks {
  static H2Session* self(void* ud) { return static_cast<H2Session*>(ud); }
  static H2Stream* stream(nghttp2_session* session, int32_t id) {
    return static_cast<H2Stream*>(nghttp2_session_get_stream_user_data(session, id));
  }

  static int on_header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void*) {
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    if (auto* s = stream(session, frame->hd.stream_id)) {
      s->on_header({reinterpret_cast<const char*>(name), namelen},
                   {reinterpret_cast<const char*>(value), valuelen});
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session* session, const nghttp2_frame* frame, void* ud) {
    const bool end = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
        if (auto* s = stream(session, frame->hd.stream_id)) s->on_headers_end(end);
        break;
      case NGHTTP2_DATA:
        if (end) {
          if (auto* s = stream(session, frame->hd.stream_id)) s->on_data_end();
        }
        break;
      case NGHTTP2_GOAWAY:
        // Streams above last_stream_id are closed by nghttp2 with
        // REFUSED_STREAM (and retried elsewhere); the rest finish here.
        self(ud)->goaway_ = true;
        self(ud)->forget();
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session* session, uint8_t, int32_t id, const uint8_t* data,
                           size_t len, void*) {
    if (auto* s = stream(session, id)) {
      s->on_data(data, len);
    } else {
      nghttp2_session_consume(session, id, len);
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t id, uint32_t error_code, void* ud) {
    self(ud)->on_stream_close(id, error_code);
    return 0;
  }
};

H2Session::H2Session(asio::io_context& io, tcp::endpoint endpoint, std::weak_ptr<H2Sessions> owner,
                     Settings settings)
    : io_(io),
      endpoint_(std::move(endpoint)),
      owner_(std::move(owner)),
      settings_(std::move(settings)),
      connect_timer_(io) {}

H2Session::~H2Session() {
  if (session_ != nullptr) nghttp2_session_del(session_);
}

bool H2Session::usable() const { return state_ != State::kClosed && !retired_ && !goaway_; }

bool H2Session::can_take() const {
  size_t limit = kMaxQueued;
  if (session_ != nullptr) {
    const uint32_t remote =
        nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    limit += std::min<uint32_t>(remote, 1u << 20);
  }
  return usable() && streams_.size() + pending_.size() < limit;
}

H2Stream* H2Session::find(int32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

bool H2Session::add(std::unique_ptr<H2Stream>& stream) {
  if (state_ == State::kConnecting) {
    stream->attach(this);
    pending_.push_back(std::move(stream));
    if (!connect_started_) {
      connect_started_ = true;
      connect();
    }
    return true;
  }
  if (state_ == State::kClosed || !stream->submit(*this)) return false;
  const int32_t id = stream->id();
  streams_[id] = std::move(stream);
  return true;
}

void H2Session::drop_pending(H2Stream* stream) {
  pending_.erase(std::remove_if(pending_.begin(), pending_.end(),
                                [&](const auto& p) { return p.get() == stream; }),
                 pending_.end());
  maybe_finish();
}

void H2Session::connect() {
  auto self = shared_from_this();
  tcp::socket socket(io_);
  transport_ = std::make_unique<net::Transport>(std::move(socket));
  connect_timer_.expires_after(settings_.connect_timeout);
  connect_timer_.async_wait([this, self](boost::system::error_code ec) {
    if (!ec && state_ == State::kConnecting) {
      transport_->close();  // the connect handler reports the failure
    }
  });
  transport_->socket().async_connect(endpoint_, [this, self](boost::system::error_code ec) {
    if (state_ != State::kConnecting) return;
    if (ec) {
      spdlog::debug("h2 backend {}: connect: {}", endpoint_.port(), ec.message());
      close(Failure::kConnect);
      return;
    }
    transport_->socket().set_option(tcp::no_delay(true), ec);
    if (settings_.tls == nullptr) {
      on_connected();
      return;
    }
    // HTTPS: the handshake runs under the same connect deadline.
    transport_->enable_tls(settings_.tls);
    tls::prepare_client_ssl(transport_->tls()->native_handle(), settings_.server_name,
                            settings_.verify);
    transport_->tls()->async_handshake(
        asio::ssl::stream_base::client, [this, self](boost::system::error_code hec) {
          if (state_ != State::kConnecting) return;
          if (hec) {
            spdlog::debug("h2 backend {}: TLS: {}", endpoint_.port(), hec.message());
            close(Failure::kConnect);
            return;
          }
          if (!tls::negotiated_h2(transport_->tls()->native_handle())) {
            fall_back_to_http1();
            return;
          }
          if (auto owner = owner_.lock()) {
            owner->remember(endpoint_, settings_.tls, H2Sessions::Alpn::kH2);
          }
          on_connected();
        });
  });
}

void H2Session::fall_back_to_http1() {
  // ALPN chose http/1.1 or nothing: this backend does not speak HTTP/2 here.
  // Nothing was written yet, so every queued request moves to HTTP/1.1 (the
  // first on this TLS connection) and the worker remembers the choice.
  spdlog::debug("h2 backend {}: ALPN chose no h2: HTTP/1.1", endpoint_.port());
  auto self = shared_from_this();  // forget() may drop the owner's reference
  state_ = State::kClosed;
  connect_timer_.cancel();
  std::weak_ptr<Pool> pool;
  if (auto owner = owner_.lock()) {
    owner->remember(endpoint_, settings_.tls, H2Sessions::Alpn::kHttp1);
    pool = owner->h1_pool();
  }
  forget();
  auto pending = std::move(pending_);
  pending_.clear();
  auto transport = std::move(transport_);
  const TlsTarget target{settings_.tls, settings_.server_name, settings_.verify};
  for (auto& stream : pending) {
    if (stream->detached()) continue;
    auto connection =
        transport ? H1Connection::adopt(io_, endpoint_, pool, std::move(transport), settings_.tls)
                  : std::make_shared<H1Connection>(io_, endpoint_, pool, settings_.connect_timeout,
                                                   &target);
    carry_over_to_http1(*stream, connection);
  }
  if (transport) transport->close();  // no request left to carry
}

void H2Session::on_connected() {
  connect_timer_.cancel();
  if (!init_session()) {
    close(Failure::kConnect);
    return;
  }
  {
    state_ = State::kOpen;
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& stream : pending) {
      if (!stream->detached() && !add(stream)) stream->fail(Failure::kProtocol);
    }
    schedule_write();
    read();
    maybe_finish();
  }
}

bool H2Session::init_session() {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_header_callback(cbs, H2Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, H2Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, H2Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, H2Callbacks::on_stream_close);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);  // the window follows the client
  const int rv = nghttp2_session_client_new2(&session_, cbs, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) return false;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  return true;
}

void H2Session::read() {
  if (read_in_flight_ || state_ != State::kOpen) return;
  in_.resize(kReadSize);
  read_in_flight_ = true;
  transport_->async_read_some(
      asio::buffer(in_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
        self->read_in_flight_ = false;
        if (self->state_ != State::kOpen) return;
        if (ec) {
          spdlog::debug("h2 backend {}: read: {}", self->endpoint_.port(), ec.message());
          self->close(Failure::kReset);
          return;
        }
        const auto rv = nghttp2_session_mem_recv(
            self->session_, reinterpret_cast<const uint8_t*>(self->in_.data()), n);
        if (rv < 0) {
          spdlog::debug("h2 backend {}: {}", self->endpoint_.port(),
                        nghttp2_strerror(static_cast<int>(rv)));
          self->close(Failure::kProtocol);
          return;
        }
        self->schedule_write();
        self->read();
      });
}

void H2Session::schedule_write() {
  if (write_scheduled_ || write_in_flight_ || state_ != State::kOpen) return;
  write_scheduled_ = true;
  asio::post(io_, [self = shared_from_this()] {
    self->write_scheduled_ = false;
    self->write();
  });
}

void H2Session::write() {
  if (write_in_flight_ || state_ != State::kOpen) return;
  out_.clear();
  // Batch frames into one write, up to 64 KiB.
  while (out_.size() < 64 * 1024) {
    const uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      close(Failure::kProtocol);
      return;
    }
    if (n == 0) break;
    out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (out_.empty()) {
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
      close(Failure::kReset);
    }
    return;
  }
  write_in_flight_ = true;
  transport_->async_write(asio::buffer(out_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            self->write_in_flight_ = false;
                            if (self->state_ != State::kOpen) return;
                            if (ec) {
                              self->close(Failure::kReset);
                              return;
                            }
                            self->write();
                          });
}

void H2Session::on_stream_close(int32_t id, uint32_t error_code) {
  auto it = streams_.find(id);
  if (it == streams_.end()) return;
  auto stream = std::move(it->second);
  streams_.erase(it);
  if (stream->on_close(error_code)) {
    // REFUSED_STREAM: once more, on a session that still takes streams.
    auto owner = owner_.lock();
    if (usable() && can_take()) {
      if (!add(stream)) stream->fail(Failure::kReset);
    } else if (owner) {
      owner->adopt(*this, stream);
    } else {
      stream->fail(Failure::kReset);
    }
  }
  // Destroyed here, after nghttp2 is done with its data provider.
  stream.reset();
  if (streams_.empty()) {
    asio::post(io_, [weak = weak_from_this()] {
      if (auto s = weak.lock()) s->maybe_finish();
    });
  }
}

void H2Session::retire() {
  retired_ = true;
  maybe_finish();
}

void H2Session::maybe_finish() {
  if (!(retired_ || goaway_) || !streams_.empty() || !pending_.empty()) return;
  if (state_ == State::kOpen) {
    // Polite end: GOAWAY, then close once it is written (want_* turn false).
    nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
    schedule_write();
  } else if (state_ == State::kConnecting && retired_) {
    close(Failure::kReset);
  }
}

void H2Session::forget() {
  if (auto owner = owner_.lock()) owner->forget(this);
}

void H2Session::close(Failure failure) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  counted_ = {};
  auto self = shared_from_this();  // forget() may drop the owner's reference
  forget();
  connect_timer_.cancel();
  if (transport_) transport_->close();
  auto streams = std::move(streams_);
  streams_.clear();
  auto pending = std::move(pending_);
  pending_.clear();
  // A stream closed before it was answered reports the failure; one that
  // never reached the backend (pending) reports a connect failure.
  for (auto& [id, stream] : streams) stream->fail(failure);
  for (auto& stream : pending) stream->fail(failure);
}

}  // namespace archway::backend

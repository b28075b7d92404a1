#include "proxy/client/h2_session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <dlfcn.h>

#include "proxy/client/h2_stream.h"
#include "proxy/metrics/worker_stats.h"

namespace archway::client {

namespace asio = boost::asio;

namespace {

constexpr size_t kReadSize = 16 * 1024;
// Glitch budget: 200 at once, 100/s sustained. Real clients stay far below
// (nghttpx and Envoy use comparable figures); h2spec needs a handful.
constexpr double kGlitchBurst = 200;
constexpr double kGlitchRate = 100;

// Optional nghttp2 features, found by symbol (Debian backports security
// fixes into 1.52, so a version number says nothing).
using SetRateLimit = void (*)(nghttp2_option*, uint64_t, uint64_t);
using SetMaxContinuations = void (*)(nghttp2_option*, size_t);

}  // namespace

struct Callbacks {
  static H2Session* self(void* user_data) { return static_cast<H2Session*>(user_data); }

  static int on_begin_headers(nghttp2_session* session, const nghttp2_frame* frame, void* ud) {
    auto* s = self(ud);
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    if (s->draining_) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    auto stream = std::make_unique<H2Stream>(*s, frame->hd.stream_id);
    nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, stream.get());
    s->streams_[frame->hd.stream_id] = std::move(stream);
    s->head_started(frame->hd.stream_id);
    return 0;
  }

  static int on_header(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                       size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* ud) {
    auto* s = self(ud);
    auto* stream = s->stream(frame->hd.stream_id);
    if (stream == nullptr) return 0;
    if (!stream->on_header({reinterpret_cast<const char*>(name), namelen},
                           {reinterpret_cast<const char*>(value), valuelen},
                           s->max_header_bytes_)) {
      s->glitch();
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                                NGHTTP2_ENHANCE_YOUR_CALM);
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
    auto* s = self(ud);
    const bool end = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        auto* stream = s->stream(frame->hd.stream_id);
        if (stream == nullptr) return 0;
        if (!stream->head_done()) {
          stream->on_head_complete(end);
          // A held head stays under limits.headerTimeout until END_STREAM.
          if (!stream->head_held()) s->head_done(frame->hd.stream_id);
        } else {
          s->head_done(frame->hd.stream_id);
          stream->on_trailers_complete();
        }
        break;
      }
      case NGHTTP2_DATA: {
        auto* stream = s->stream(frame->hd.stream_id);
        if (frame->hd.length == 0 && !end) s->glitch();  // empty DATA: no use but cost
        if (stream != nullptr && end) {
          if (stream->head_held()) s->head_done(frame->hd.stream_id);
          stream->on_end_stream();
        }
        break;
      }
      case NGHTTP2_RST_STREAM: {
        auto* stream = s->stream(frame->hd.stream_id);
        // Rapid reset: a client cancelling work it just asked for.
        if (stream != nullptr && !stream->response_complete()) s->glitch();
        break;
      }
      case NGHTTP2_PING:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) s->glitch(0.5);
        break;
      case NGHTTP2_SETTINGS:
        if (!(frame->hd.flags & NGHTTP2_FLAG_ACK)) s->glitch(0.5);
        break;
      case NGHTTP2_PRIORITY:
        s->glitch(0.1);
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* ud) {
    // A WebSocket tunnel's end went out while the client's half is still
    // open: close it with NO_ERROR (RFC 9113 §8.1), so the stream cannot
    // linger on a silent client.
    if (frame->hd.type != NGHTTP2_DATA || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    auto* stream = self(ud)->stream(frame->hd.stream_id);
    if (stream != nullptr && stream->is_tunnel() &&
        nghttp2_session_get_stream_remote_close(session, frame->hd.stream_id) == 0) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
    }
    return 0;
  }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* ud) {
    // CONTINUATION floods (CVE-2024-27316) when the library cannot cap them.
    if (hd->type == NGHTTP2_CONTINUATION) self(ud)->glitch(0.5);
    return 0;
  }

  static int on_data_chunk(nghttp2_session* session, uint8_t, int32_t stream_id,
                           const uint8_t* data, size_t len, void* ud) {
    auto* stream = self(ud)->stream(stream_id);
    if (stream == nullptr) {
      nghttp2_session_consume(session, stream_id, len);
      return 0;
    }
    stream->on_data(data, len);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t, void* ud) {
    auto* s = self(ud);
    s->head_done(stream_id);
    auto it = s->streams_.find(stream_id);
    if (it != s->streams_.end()) {
      it->second->on_reset_by_client();
      s->streams_.erase(it);
    }
    if (s->streams_.empty()) s->arm_idle_timer();
    return 0;
  }

  static int on_invalid_frame(nghttp2_session*, const nghttp2_frame*, int, void* ud) {
    self(ud)->glitch();
    return 0;
  }
};

void H2Session::start(ClientHost& worker, std::unique_ptr<net::Transport> transport,
                      std::string initial) {
  auto session = std::make_shared<H2Session>(worker, std::move(transport));
  if (!session->init()) {
    session->close();
    return;
  }
  worker.add_connection(session.get());
  session->feed(initial.data(), initial.size());
  session->read();
  session->schedule_write();
}

H2Session::H2Session(ClientHost& worker, std::unique_ptr<net::Transport> transport)
    : worker_(worker),
      transport_(std::move(transport)),
      table_(worker.table()),
      glitches_(kGlitchBurst, kGlitchRate, GlitchLimiter::Clock::now()),
      idle_timer_(worker.io()),
      head_timer_(worker.io()) {
  boost::system::error_code ec;
  auto remote = transport_->socket().remote_endpoint(ec);
  if (!ec) client_ip_ = remote.address().to_string();
}

H2Session::~H2Session() {
  streams_.clear();  // exchanges detach before the session goes
  if (session_ != nullptr) nghttp2_session_del(session_);
  worker_.remove_connection(this);
}

bool H2Session::init() {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cbs, Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, Callbacks::on_frame_send);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(cbs, Callbacks::on_invalid_frame);

  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);  // window follows the backend
  nghttp2_option_set_max_settings(opt, 32);          // entries per SETTINGS frame
  nghttp2_option_set_max_outbound_ack(opt, 1000);    // PING/SETTINGS ack backlog
  if (auto fn = reinterpret_cast<SetRateLimit>(
          dlsym(RTLD_DEFAULT, "nghttp2_option_set_stream_reset_rate_limit"))) {
    fn(opt, 1000, 33);  // library's own rapid-reset bucket (nghttp2 defaults)
  }
  if (auto fn = reinterpret_cast<SetMaxContinuations>(
          dlsym(RTLD_DEFAULT, "nghttp2_option_set_max_continuations"))) {
    fn(opt, 8);
  }
  const int rv = nghttp2_session_server_new3(&session_, cbs, this, opt, mem_pool_.mem());
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cbs);
  if (rv != 0) return false;

  uint32_t max_streams = 100;
  if (table_) {
    max_header_bytes_ = table_->limits().max_header_bytes;
    max_streams = table_->limits().max_concurrent_streams;
  }
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 65535},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, max_header_bytes_},
      // RFC 8441: WebSocket over HTTP/2 (extended_connect.h).
      {NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 1},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  // A larger connection window so several streams can flow at once.
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, 1 << 20);
  return true;
}

H2Stream* H2Session::stream(int32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void H2Session::glitch(double weight) {
  if (calm_goaway_sent_ || !glitches_.record(GlitchLimiter::Clock::now(), weight)) return;
  calm_goaway_sent_ = true;
  worker_.stats().glitch_goaway();
  spdlog::debug("h2 client {}: glitch limit, GOAWAY ENHANCE_YOUR_CALM", client_ip_);
  nghttp2_session_terminate_session(session_, NGHTTP2_ENHANCE_YOUR_CALM);
  schedule_write();
}

void H2Session::feed(const char* data, size_t size) {
  if (closed_ || size == 0) return;
  const auto rv = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(data), size);
  if (rv < 0) {
    // nghttp2 already queued GOAWAY for protocol errors where it can.
    spdlog::debug("h2 client {}: {}", client_ip_, nghttp2_strerror(static_cast<int>(rv)));
    if (rv == NGHTTP2_ERR_BAD_CLIENT_MAGIC) {
      close();
      return;
    }
    nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
  }
  schedule_write();
}

void H2Session::read() {
  if (read_in_flight_ || closed_) return;
  if (!nghttp2_session_want_read(session_)) return;
  in_.resize(kReadSize);
  read_in_flight_ = true;
  transport_->async_read_some(asio::buffer(in_),
                              [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                                self->read_in_flight_ = false;
                                if (self->closed_) return;
                                self->on_read(ec, n);
                              });
}

void H2Session::on_read(boost::system::error_code ec, size_t n) {
  if (ec) {
    close();
    return;
  }
  idle_active_ = false;  // activity: the idle period ends (see arm_idle_timer)
  feed(in_.data(), n);
  read();
}

void H2Session::schedule_write() {
  if (write_scheduled_ || write_in_flight_ || closed_) return;
  write_scheduled_ = true;
  asio::post(worker_.io(), [self = shared_from_this()] {
    self->write_scheduled_ = false;
    self->write();
  });
}

void H2Session::write() {
  if (write_in_flight_ || closed_) return;
  out_.clear();
  // Batch frames into one buffer (one write syscall) up to 64 KiB.
  while (out_.size() < 64 * 1024) {
    const uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      close();
      return;
    }
    if (n == 0) break;
    out_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (out_.empty()) {
    if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
      close();
    } else if (draining_ && streams_.empty()) {
      close();
    }
    return;
  }
  write_in_flight_ = true;
  transport_->async_write(asio::buffer(out_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t) {
                            self->write_in_flight_ = false;
                            if (self->closed_) return;
                            if (ec) {
                              self->close();
                              return;
                            }
                            self->write();
                            self->read();
                          });
}

void H2Session::arm_idle_timer() {
  if (closed_ || !table_) return;
  // Lazy: the timer stays pending and is moved only to an earlier time; a
  // read clears idle_active_ instead of cancelling it.
  idle_active_ = true;
  idle_deadline_ = std::chrono::steady_clock::now() + table_->limits().idle_timeout;
  if (!idle_timer_pending_ || idle_deadline_ < idle_timer_at_) arm_idle_timer_at(idle_deadline_);
}

void H2Session::arm_idle_timer_at(std::chrono::steady_clock::time_point when) {
  idle_timer_pending_ = true;
  idle_timer_at_ = when;
  idle_timer_.expires_at(when);
  idle_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->idle_timer_pending_ = false;
    if (self->closed_ || !self->idle_active_ || !self->streams_.empty()) return;
    if (std::chrono::steady_clock::now() < self->idle_deadline_) {
      self->arm_idle_timer_at(self->idle_deadline_);
      return;
    }
    nghttp2_session_terminate_session(self->session_, NGHTTP2_NO_ERROR);
    self->schedule_write();
  });
}

void H2Session::head_started(int32_t id) {
  if (!table_) return;
  heads_pending_.emplace_back(id,
                              std::chrono::steady_clock::now() + table_->limits().header_timeout);
  if (!head_timer_armed_) arm_head_timer();
}

void H2Session::head_done(int32_t id) {
  // Almost always the newest entry (a head arrives in one HEADERS frame).
  for (auto it = heads_pending_.rbegin(); it != heads_pending_.rend(); ++it) {
    if (it->first == id) {
      heads_pending_.erase(std::next(it).base());
      return;
    }
  }
}

void H2Session::arm_head_timer() {
  if (heads_pending_.empty() || closed_) {
    head_timer_armed_ = false;
    return;
  }
  // Stream ids grow and deadlines grow with them (one timeout for all):
  // the first pending head is the earliest deadline.
  head_timer_armed_ = true;
  head_timer_.expires_at(heads_pending_.begin()->second);
  head_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    if (ec) {
      self->head_timer_armed_ = false;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    while (!self->heads_pending_.empty() && self->heads_pending_.begin()->second <= now) {
      const int32_t id = self->heads_pending_.begin()->first;
      self->heads_pending_.erase(self->heads_pending_.begin());
      // A head still incomplete after limits.headerTimeout (slow-loris by
      // CONTINUATION): the stream is reset and counted as a glitch.
      nghttp2_submit_rst_stream(self->session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
      self->glitch();
    }
    self->schedule_write();
    self->arm_head_timer();
  });
}

void H2Session::drain() {
  if (draining_ || closed_) return;
  draining_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  schedule_write();
}

void H2Session::close_now() { close(); }

void H2Session::close() {
  if (closed_) return;
  closed_ = true;
  idle_timer_.cancel();
  head_timer_.cancel();
  for (auto& [id, stream] : streams_) stream->on_reset_by_client();
  if (transport_) transport_->close();
  worker_.remove_connection(this);
}

}  // namespace archway::client

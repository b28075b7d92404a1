#include "proxy/backend/h1_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstdio>

#include "proxy/backend/pool.h"
#include "proxy/tls/client_tls.h"

namespace archway::backend {

namespace asio = boost::asio;
using Failure = http::BackendEvents::Failure;

// 16 KiB reads: one TLS record, and what nghttpx uses for its I/O chunks.
static constexpr size_t kReadSize = 16 * 1024;

H1Connection::H1Connection(asio::io_context& io, tcp::endpoint endpoint, std::weak_ptr<Pool> pool,
                           std::chrono::milliseconds connect_timeout, const TlsTarget* tls)
    : io_(io),
      transport_(std::make_unique<net::Transport>(tcp::socket(io))),
      endpoint_(std::move(endpoint)),
      pool_(std::move(pool)),
      connect_timer_(io),
      connect_timeout_(connect_timeout) {
  if (tls != nullptr) {
    // The SSL object takes its reference to the context now, so a context
    // whose table goes away during the connect stays alive.
    tls_ctx_ = tls->ctx;
    transport_->enable_tls(tls->ctx);
    SSL* ssl = transport_->tls()->native_handle();
    tls::prepare_client_ssl(ssl, tls->server_name, tls->verify);
    tls::offer_http1_only(ssl);
  }
}

std::shared_ptr<H1Connection> H1Connection::adopt(asio::io_context& io, tcp::endpoint endpoint,
                                                  std::weak_ptr<Pool> pool,
                                                  std::unique_ptr<net::Transport> transport,
                                                  SSL_CTX* tls_ctx) {
  auto conn = std::make_shared<H1Connection>(io, std::move(endpoint), std::move(pool),
                                             std::chrono::milliseconds(0));
  conn->transport_ = std::move(transport);
  conn->tls_ctx_ = tls_ctx;
  conn->state_ = State::kIdle;
  conn->read();
  return conn;
}

H1Connection::~H1Connection() = default;

void H1Connection::start(http::BackendEvents* events, std::string_view head, bool chunked,
                         bool head_request, bool expect_body) {
  events_ = events;
  ++requests_;
  chunked_ = chunked;
  head_request_ = head_request;
  request_done_ = !expect_body;
  response_done_ = false;
  head_seen_ = false;
  paused_ = false;
  keep_alive_ = true;
  parser_.emplace(response_, this, head_request);
  out_.append(head);
  if (state_ == State::kConnecting) {
    if (requests_ == 1) connect();
    return;
  }
  state_ = State::kBusy;
  flush();
  if (in_end_ > in_begin_) on_read(0);  // bytes that arrived while idle
}

void H1Connection::connect() {
  auto self = shared_from_this();
  connect_timer_.expires_after(connect_timeout_);
  connect_timer_.async_wait([this, self](boost::system::error_code ec) {
    if (!ec && state_ == State::kConnecting) {
      transport_->close();  // the connect or handshake handler reports the failure
    }
  });
  transport_->socket().async_connect(endpoint_, [this, self](boost::system::error_code ec) {
    if (state_ == State::kClosed) return;
    if (ec) {
      fail(Failure::kConnect);
      return;
    }
    transport_->socket().set_option(tcp::no_delay(true), ec);
    if (transport_->is_tls()) {
      handshake();
    } else {
      on_connected();
    }
  });
}

void H1Connection::handshake() {
  // Under the same connect deadline; certificate and name checks fail it.
  transport_->tls()->async_handshake(
      asio::ssl::stream_base::client,
      [this, self = shared_from_this()](boost::system::error_code ec) {
        if (state_ == State::kClosed) return;
        if (ec) {
          spdlog::debug("backend {}: TLS: {}", endpoint_.port(), ec.message());
          fail(Failure::kConnect);
          return;
        }
        on_connected();
      });
}

void H1Connection::on_connected() {
  connect_timer_.cancel();
  state_ = events_ != nullptr ? State::kBusy : State::kIdle;
  pending_slot_.release();
  flush();
  read();
}

bool H1Connection::send_data(std::string_view data, bool end_stream) {
  if (state_ == State::kClosed) return true;
  if (chunked_ && !data.empty()) {
    char size[24];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out_.append(size, static_cast<size_t>(n));
    out_.append(data);
    out_.append("\r\n");
  } else {
    out_.append(data);
  }
  if (end_stream) {
    if (chunked_) out_.append("0\r\n\r\n");
    request_done_ = true;
  }
  flush();
  return out_.size() + writing_.size() < http::kHighWatermark;
}

void H1Connection::send_trailers(const http::Headers& trailers) {
  if (state_ == State::kClosed) return;
  if (chunked_) {
    out_.append("0\r\n");
    for (const auto& h : trailers) {
      out_.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    out_.append("\r\n");
  }
  request_done_ = true;
  flush();
}

bool H1Connection::send_raw(std::string_view data) {
  out_.append(data);
  flush();
  return out_.size() + writing_.size() < http::kHighWatermark;
}

void H1Connection::watch() {
  if (state_ == State::kIdle) read();
}

bool H1Connection::still_open() {
  if (read_in_flight_ || transport_->is_tls()) return state_ != State::kClosed;
  char byte;
  const ssize_t n = ::recv(transport_->socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
  close();  // closed (0), reset (-1), or bytes nobody asked for (>0)
  return false;
}

void H1Connection::flush() {
  if (write_in_flight_ || out_.empty() || state_ == State::kConnecting ||
      state_ == State::kClosed) {
    return;
  }
  writing_.swap(out_);
  out_.clear();
  write_in_flight_ = true;
  auto self = shared_from_this();
  transport_->async_write(
      asio::buffer(writing_), [this, self](boost::system::error_code ec, size_t) {
        write_in_flight_ = false;
        writing_.clear();
        if (state_ == State::kClosed) return;
        if (ec) {
          spdlog::debug("backend {}: write: {}", endpoint_.port(), ec.message());
          fail(Failure::kReset);
          return;
        }
        if (state_ == State::kBusy && !read_in_flight_) read();  // the answer, see the header
        if (!out_.empty()) {
          flush();
        } else if (events_ != nullptr) {
          events_->on_backend_drained();
        }
      });
}

void H1Connection::read() {
  if (read_in_flight_ || paused_ || state_ == State::kClosed) return;
  if (in_.size() < kReadSize) in_.resize(kReadSize);
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_end_ == in_.size()) {  // compact: keep unparsed bytes at the front
    in_.erase(0, in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
    in_.resize(std::max(in_.size(), in_end_ + kReadSize));
  }
  read_in_flight_ = true;
  auto self = shared_from_this();
  transport_->async_read_some(
      asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
      [this, self](boost::system::error_code ec, size_t n) {
        read_in_flight_ = false;
        if (state_ == State::kClosed) return;
        if (ec) {
          // A TLS backend closing without close_notify
          // (common) ends a close-delimited body too.
          const bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
          if (eof && parser_ && head_seen_ && !response_done_ && parser_->need_eof()) {
            // Close-delimited body: EOF is the end.
            boost::beast::error_code pec;
            parser_->put_eof(pec);
            finish_response();
            keep_alive_ = false;
            close();
            return;
          }
          spdlog::debug("backend {}: read: {}", endpoint_.port(), ec.message());
          fail(Failure::kReset);
          return;
        }
        on_read(n);
      });
}

void H1Connection::on_read(size_t n) {
  in_end_ += n;
  auto self = shared_from_this();
  if (state_ == State::kTunnel) {
    if (events_ != nullptr)
      events_->on_backend_data({in_.data() + in_begin_, in_end_ - in_begin_}, false);
    in_begin_ = in_end_ = 0;
    read();
    return;
  }
  if (events_ == nullptr || response_done_) {
    // Bytes from an idle backend, or beyond the response: protocol error.
    close();
    return;
  }
  while (in_begin_ < in_end_ && !response_done_ && !paused_ && state_ != State::kClosed) {
    boost::beast::error_code ec;
    const size_t used = parser_->put(asio::buffer(in_.data() + in_begin_, in_end_ - in_begin_), ec);
    in_begin_ += used;
    if (ec == boost::beast::http::error::need_more) break;
    if (ec) {
      spdlog::debug("backend {}: bad response: {}", endpoint_.port(), ec.message());
      fail(Failure::kProtocol);
      return;
    }
    if (parser_->is_done()) {
      if (response_.status >= 100 && response_.status < 200 && response_.status != 101) {
        head_seen_ = false;  // interim response: skip it, parse the final one
        parser_.emplace(response_, this, head_request_);
        continue;
      }
      if (response_.status == 101) {
        state_ = State::kTunnel;
        response_done_ = true;
        if (in_end_ > in_begin_ && events_ != nullptr) {
          events_->on_backend_data({in_.data() + in_begin_, in_end_ - in_begin_}, false);
        }
        in_begin_ = in_end_ = 0;
        break;
      }
      keep_alive_ = parser_->backend_keep_alive();
      finish_response();
    }
  }
  // After a complete response a plain connection reads nothing more: it is
  // going idle unwatched (see the header).
  if (state_ != State::kClosed && (!response_done_ || state_ == State::kTunnel || is_tls())) {
    read();
  }
}

void H1Connection::on_response_head() {
  head_seen_ = true;
  const int s = response_.status;
  if (s >= 100 && s < 200 && s != 101) return;
  const bool end = head_request_ || s == 204 || s == 304 ||
                   (response_.content_length && *response_.content_length == 0);
  keep_alive_ = parser_->backend_keep_alive();
  if (end) response_done_ = true;
  if (events_ != nullptr) events_->on_backend_head(response_, end);
}

void H1Connection::on_response_body(std::string_view data) {
  if (events_ != nullptr && !data.empty()) events_->on_backend_data(data, false);
}

void H1Connection::finish_response() {
  const bool already = response_done_;
  response_done_ = true;
  if (events_ == nullptr) return;
  auto& trailers = parser_->trailers();
  if (!trailers.empty()) {
    events_->on_backend_trailers(trailers);
  } else if (!already) {
    events_->on_backend_data({}, true);
  }
}

void H1Connection::pause_response(bool paused) {
  if (paused_ == paused) return;
  paused_ = paused;
  if (!paused_ && state_ != State::kClosed) {
    if (in_end_ > in_begin_) {
      on_read(0);
    } else {
      read();
    }
  }
}

void H1Connection::detach(bool complete) {
  events_ = nullptr;
  auto pool = pool_.lock();
  if (complete && keep_alive_ && request_done_ && response_done_ && state_ == State::kBusy &&
      !write_in_flight_ && out_.empty() && in_begin_ == in_end_ && pool && !pool->retired()) {
    state_ = State::kIdle;
    paused_ = false;
    if (is_tls()) read();  // plain ones go idle unwatched (see the header)
    pool->release(shared_from_this());
    return;
  }
  close();
}

void H1Connection::fail(Failure failure) {
  auto* events = events_;
  close();
  if (events != nullptr) events->on_backend_failure(failure);
}

void H1Connection::close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  events_ = nullptr;
  connection_slot_.release();
  pending_slot_.release();
  counted_ = {};
  connect_timer_.cancel();
  transport_->close();
  if (auto pool = pool_.lock()) pool->forget(this);
}

}  // namespace archway::backend

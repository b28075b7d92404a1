#include "proxy/client/h1_connection.h"

#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>

#include <cstdio>
#include <cstring>

#include "proxy/client/h2_session.h"
#include "proxy/exchange/access_log.h"
#include "proxy/exchange/request_rewrite.h"
#include "proxy/http/reason_phrase.h"

namespace archway::client {

namespace asio = boost::asio;
using http1::HeadError;
using http1::scan_head;

static constexpr size_t kReadSize = 16 * 1024;
static constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

H1Connection::H1Connection(ClientHost& worker, std::unique_ptr<net::Transport> transport,
                           bool sniff_h2c)
    : worker_(worker),
      transport_(std::move(transport)),
      sniff_h2c_(sniff_h2c),
      timer_(worker.io()) {
  boost::system::error_code ec;
  auto remote = transport_->socket().remote_endpoint(ec);
  if (!ec) client_ip_ = remote.address().to_string();
}

H1Connection::~H1Connection() { worker_.remove_connection(this); }

void H1Connection::start() {
  worker_.add_connection(this);
  in_.resize(kReadSize);
  process();
}

void H1Connection::arm_head_timer() {
  const auto& table = worker_.table();
  if (!table) return;
  const auto& limits = table->limits();
  // Waiting for a first byte is idle time; once a head started, the
  // (shorter) header timeout bounds slow-loris heads. It runs from the
  // head's first byte: later bytes of the same head do not extend it.
  const bool head_started = in_end_ > in_begin_;
  if (head_started && head_deadline_set_ && header_deadline_) return;
  head_deadline_ = std::chrono::steady_clock::now() +
                   (head_started ? limits.header_timeout : limits.idle_timeout);
  head_deadline_set_ = true;
  header_deadline_ = head_started;
  if (!timer_armed_ || head_deadline_ < timer_at_) arm_head_timer_at(head_deadline_);
}

void H1Connection::arm_head_timer_at(std::chrono::steady_clock::time_point when) {
  timer_armed_ = true;
  timer_at_ = when;
  timer_.expires_at(when);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;  // moved (a new wait is pending) or closed
    self->timer_armed_ = false;
    const bool waiting = self->phase_ == Phase::kHead || self->start_pending_;
    if (!waiting || !self->head_deadline_set_) return;
    if (std::chrono::steady_clock::now() < self->head_deadline_) {
      self->arm_head_timer_at(self->head_deadline_);  // the deadline moved on
      return;
    }
    if (self->start_pending_) {
      self->reject_body(408, "request body timeout");
    } else if (self->in_end_ > self->in_begin_) {
      self->reject_head(408, "request head timeout");
    } else {
      self->close();
    }
  });
}

void H1Connection::read() {
  if (read_in_flight_ || phase_ == Phase::kClosed) return;
  if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_end_ == in_.size()) {
    if (in_begin_ > 0) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    } else {
      in_.resize(in_.size() + kReadSize);
    }
  }
  read_in_flight_ = true;
  transport_->async_read_some(asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
                              [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                                self->read_in_flight_ = false;
                                if (self->phase_ == Phase::kClosed) return;
                                if (ec) {
                                  if (self->phase_ == Phase::kTunnel && self->exchange_) {
                                    self->exchange_->on_client_gone();
                                  }
                                  self->close();
                                  return;
                                }
                                self->in_end_ += n;
                                self->process();
                              });
}

void H1Connection::process() {
  if (processing_) return;  // re-entered from a sink call: the outer loop continues
  processing_ = true;
  while (phase_ != Phase::kClosed) {
    if (phase_ == Phase::kHead) {
      if (!parse_head()) break;
    } else if (phase_ == Phase::kBody) {
      if (body_paused_) break;
      if (in_begin_ == in_end_) {
        read();
        break;
      }
      if (!parse_body()) break;
    } else if (phase_ == Phase::kWaitResponse) {
      if (response_done_ && !write_in_flight_ && out_.empty()) {
        finish_exchange();
        continue;
      }
      break;
    } else if (phase_ == Phase::kTunnel) {
      if (in_end_ > in_begin_ && exchange_) {
        exchange_->on_tunnel_data({in_.data() + in_begin_, in_end_ - in_begin_});
      }
      in_begin_ = in_end_ = 0;
      read();
      break;
    }
  }
  processing_ = false;
}

bool H1Connection::parse_head() {
  // RFC 9112 §2.2: ignore at least one empty line before a request line.
  while (in_end_ - in_begin_ >= 2 && in_[in_begin_] == '\r' && in_[in_begin_ + 1] == '\n') {
    in_begin_ += 2;
  }
  std::string_view bytes(in_.data() + in_begin_, in_end_ - in_begin_);
  if (bytes.empty()) {
    if (draining_) {
      close();
      return false;
    }
    arm_head_timer();
    read();
    return false;
  }
  if (sniff_h2c_ && requests_ == 0) {
    const size_t n = std::min(bytes.size(), kH2Preface.size());
    if (bytes.substr(0, n) == kH2Preface.substr(0, n)) {
      if (n < kH2Preface.size()) {
        read();
        return false;
      }
      // Prior-knowledge h2c: hand the socket and the bytes read so far over.
      timer_.cancel();
      phase_ = Phase::kClosed;
      worker_.remove_connection(this);
      H2Session::start(worker_, std::move(transport_), std::string(bytes));
      return false;
    }
    sniff_h2c_ = false;
  }
  const auto& table = worker_.table();
  const uint32_t max_head = table ? table->limits().max_header_bytes : 64 * 1024;
  const size_t max_count = table ? table->limits().max_header_count : 100;
  size_t head_size = 0;
  const HeadError scan = scan_head(bytes, max_head, head_size);
  if (scan == HeadError::kNeedMore) {
    if (!read_in_flight_) arm_head_timer();
    read();
    return false;
  }
  if (scan == HeadError::kTooLarge) {
    reject_head(431, to_string(scan));
    return false;
  }
  if (scan != HeadError::kNone) {
    reject_head(400, to_string(scan));
    return false;
  }
  head_deadline_set_ = false;  // the lazy timer finds no deadline when it fires
  ++requests_;
  table_ = table;  // the request pins the table live at its head
  parser_.emplace(request_, max_head, max_count);
  boost::beast::error_code ec;
  const size_t used = parser_->put(asio::buffer(in_.data() + in_begin_, head_size), ec);
  if ((ec && ec != boost::beast::http::error::need_more) || !parser_->is_header_done()) {
    const HeadError err = parser_->head_error();
    if (request_.method.empty() && requests_ == 1 && !transport_->is_tls()) {
      // Not even a request line, as the first bytes of a cleartext
      // connection: not an HTTP/1 client. Close like an HTTP/2 server
      // facing a bad preface would (RFC 9113 §3.4; h2spec 3.5/2).
      close();
      return false;
    }
    const std::string_view why =
        err != HeadError::kNone ? to_string(err) : "malformed request head";
    worker_.access_log().write_rejected(request_, client_ip_, 400,
                                        exchange::error_body(why, 400).size());
    reject(400, why);
    return false;
  }
  in_begin_ += used;
  request_.scheme = transport_->is_tls() ? "https" : "http";
  request_.client_ip = client_ip_;
  head_request_ = request_.method == "HEAD";
  close_after_response_ = parser_->client_wants_close() || request_.version == 10 || draining_;
  response_done_ = false;
  chunked_out_ = false;
  body_paused_ = false;
  const bool has_body = request_.has_body;
  exchange_.emplace(worker_, table_, *this);
  self_ = shared_from_this();
  parser_->set_body_consumer(this);
  phase_ = has_body ? Phase::kBody : Phase::kWaitResponse;
  // Chunked: not a byte to the backend before the first chunk header is
  // known to be valid (parse_body starts the exchange).
  start_pending_ = has_body && parser_->chunked();
  if (!start_pending_) {
    start_exchange();
  } else if (table_) {
    // No exchange, so no request timeout yet: limits.headerTimeout bounds
    // the wait for the first chunk header, as it bounds a head.
    head_deadline_ = std::chrono::steady_clock::now() + table_->limits().header_timeout;
    head_deadline_set_ = true;
    header_deadline_ = true;
    if (!timer_armed_ || head_deadline_ < timer_at_) arm_head_timer_at(head_deadline_);
  }
  return phase_ != Phase::kClosed;
}

void H1Connection::start_exchange() {
  start_pending_ = false;
  head_deadline_set_ = false;
  exchange_->start(request_);
}

bool H1Connection::parse_body() {
  boost::beast::error_code ec;
  body_pieces_.clear();
  const size_t used = parser_->put(asio::buffer(in_.data() + in_begin_, in_end_ - in_begin_), ec);
  if (ec && ec != boost::beast::http::error::need_more) {
    body_pieces_.clear();  // parsed before the error: never forwarded
    reject_body(400, "malformed request body");
    return false;
  }
  if (start_pending_ && (parser_->chunk_header_seen() || parser_->is_done())) start_exchange();
  if (phase_ == Phase::kClosed) return false;
  if (!start_pending_) forward_body();
  in_begin_ += used;  // after forwarding: the pieces are views into in_
  if (ec == boost::beast::http::error::need_more) {
    if (!body_paused_) read();
    return false;  // resumed by the read completion (or resume_request_body)
  }
  if (parser_->is_done()) {
    phase_ = Phase::kWaitResponse;
    if (exchange_) exchange_->on_request_data({}, true);
  }
  return true;
}

void H1Connection::forward_body() {
  for (const auto piece : body_pieces_) {
    if (!exchange_) break;
    if (!exchange_->on_request_data(piece, false)) body_paused_ = true;
  }
  body_pieces_.clear();
}

void H1Connection::reject_body(int status, std::string_view message) {
  // Bad body framing (or no first chunk in time). Before the exchange
  // started nothing left; after, the backend request is aborted
  // (Exchange's destructor closes its connection: an incomplete request is
  // never reused).
  if (start_pending_) {
    start_pending_ = false;
    head_deadline_set_ = false;
    exchange_.reset();
    worker_.access_log().write_rejected(request_, client_ip_, status,
                                        exchange::error_body(message, status).size());
    reject(status, message);
  } else if (exchange_ && !exchange_->response_started()) {
    exchange_->set_local_status(status);  // for its access-log line
    exchange_.reset();
    reject(status, message);
  } else {
    close();
  }
}

void H1Connection::on_body_bytes(std::string_view data) {
  // Collected: parse_body forwards them once the whole put() succeeded.
  if (!data.empty()) body_pieces_.push_back(data);
}

void H1Connection::resume_request_body() {
  if (!body_paused_) return;
  body_paused_ = false;
  asio::post(worker_.io(), [self = shared_from_this()] { self->process(); });
}

void H1Connection::send_response_head(http::Response& head, bool end_stream) {
  if (phase_ == Phase::kClosed) return;
  // A response that starts before the request body was read (a 413, an
  // early answer from the backend) ends the connection: say so in its head,
  // or a client waiting on "Expect: 100-continue" sends the body into a
  // connection about to close (RFC 9110 §10.1.1).
  if (phase_ == Phase::kBody) close_after_response_ = true;
  if (draining_) close_after_response_ = true;
  auto& o = out_;
  // Status line without printf: a status is three digits (Beast's parser
  // reads exactly three; ours come from the config and http_reason's list).
  const int st = head.status;
  char status_line[] = "HTTP/1.1 000 ";
  status_line[9] = static_cast<char>('0' + st / 100 % 10);
  status_line[10] = static_cast<char>('0' + st / 10 % 10);
  status_line[11] = static_cast<char>('0' + st % 10);
  o.append(status_line, sizeof status_line - 1).append(http::http_reason(st)).append("\r\n");
  for (const auto& h : head.headers) o.append(h.name).append(": ").append(h.value).append("\r\n");
  const bool no_body = head.status == 204 || head.status == 304 || head.status < 200;
  if (head.status == 101) {
    o.append("connection: upgrade\r\nupgrade: websocket\r\n\r\n");
    flush();
    return;
  }
  if (head.content_length) {
    if (!no_body)
      o.append("content-length: ").append(std::to_string(*head.content_length)).append("\r\n");
  } else if (end_stream) {
    if (!no_body && !head_request_) o.append("content-length: 0\r\n");
  } else if (request_.version == 11) {
    o.append("transfer-encoding: chunked\r\n");
    chunked_out_ = !head_request_;
  } else {
    close_after_response_ = true;  // HTTP/1.0: the body ends at close
  }
  if (close_after_response_) o.append("connection: close\r\n");
  o.append("\r\n");
  if (end_stream) {
    response_done_ = true;
    flush();
  } else {
    // The body usually follows in this same handler (same backend read):
    // one write for head and body instead of two.
    schedule_flush();
  }
}

void H1Connection::schedule_flush() {
  if (flush_scheduled_ || write_in_flight_ || phase_ == Phase::kClosed) return;
  flush_scheduled_ = true;
  asio::post(worker_.io(), [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush();
  });
}

void H1Connection::send_response_data(std::string_view data, bool end_stream) {
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kTunnel) {
    out_.append(data);
    flush();
    return;
  }
  if (!head_request_) {
    if (chunked_out_ && !data.empty()) {
      char size[24];
      const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
      out_.append(size, static_cast<size_t>(n)).append(data).append("\r\n");
    } else {
      out_.append(data);
    }
    if (end_stream && chunked_out_) out_.append("0\r\n\r\n");
  }
  if (end_stream) response_done_ = true;
  flush();
}

void H1Connection::send_response_trailers(http::Headers& trailers) {
  if (phase_ == Phase::kClosed) return;
  if (chunked_out_) {
    out_.append("0\r\n");
    for (const auto& h : trailers) out_.append(h.name).append(": ").append(h.value).append("\r\n");
    out_.append("\r\n");
  }
  response_done_ = true;
  flush();
}

void H1Connection::abort_response() {
  // Mid-response failure: the only honest signal in HTTP/1 is closing
  // without a complete body.
  response_done_ = true;
  close_after_response_ = true;
  if (!write_in_flight_) {
    asio::post(worker_.io(), [self = shared_from_this()] { self->close(); });
  }
}

void H1Connection::start_tunnel() {
  phase_ = Phase::kTunnel;
  parser_.reset();
  asio::post(worker_.io(), [self = shared_from_this()] { self->process(); });
}

void H1Connection::flush() {
  if (write_in_flight_ || out_.empty() || phase_ == Phase::kClosed) return;
  writing_.swap(out_);
  out_.clear();
  write_in_flight_ = true;
  transport_->async_write(
      asio::buffer(writing_),
      net::with_memory(
          write_memory_, [self = shared_from_this()](boost::system::error_code ec, size_t) {
            self->write_in_flight_ = false;
            self->writing_.clear();
            if (self->phase_ == Phase::kClosed) return;
            if (ec) {
              if (self->exchange_) self->exchange_->on_client_gone();
              self->close();
              return;
            }
            if (!self->out_.empty()) {
              self->flush();
            } else if (self->exchange_) {
              self->exchange_->on_client_drained();
            }
            if (self->response_done_ && self->out_.empty() && !self->write_in_flight_) {
              if (self->phase_ == Phase::kBody || self->close_after_response_) {
                self->close();
                return;
              }
              self->process();
            }
          }));
}

void H1Connection::finish_exchange() {
  auto self = std::move(self_);
  exchange_.reset();
  parser_.reset();
  table_.reset();
  if (close_after_response_ || draining_) {
    close();
    return;
  }
  phase_ = Phase::kHead;
}

void H1Connection::reject_head(int status, std::string_view message) {
  // Nothing of this head was parsed: its access-log line has the status,
  // the client and the bytes sent, and empty request fields (request_ may
  // still hold the previous request on this connection).
  request_.clear();
  worker_.access_log().write_rejected(request_, client_ip_, status,
                                      exchange::error_body(message, status).size());
  reject(status, message);
}

void H1Connection::reject(int status, std::string_view message) {
  // Before any exchange: answer, then close (the framing can't be trusted).
  phase_ = Phase::kWaitResponse;
  close_after_response_ = true;
  head_request_ = false;
  chunked_out_ = false;
  request_.version = 11;
  http::Response response;
  response.status = status;
  response.headers.push_back({"content-type", "application/json"});
  const std::string body = exchange::error_body(message, status);
  response.content_length = body.size();
  send_response_head(response, false);
  send_response_data(body, true);
}

void H1Connection::drain() {
  draining_ = true;
  if (phase_ == Phase::kHead && in_begin_ == in_end_ && !exchange_) {
    close();
    return;
  }
  close_after_response_ = true;
}

void H1Connection::close_now() { close(); }

void H1Connection::close() {
  auto self = std::move(self_);
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  timer_.cancel();
  if (exchange_) {
    exchange_->on_client_gone();
    exchange_.reset();
  }
  transport_->close();
  worker_.remove_connection(this);
}

}  // namespace archway::client

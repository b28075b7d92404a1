#include "proxy/redis/connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream_base.hpp>

namespace archway::redis {
namespace {

using Clock = std::chrono::steady_clock;
using boost::asio::ip::tcp;

std::vector<std::string_view> views(const std::vector<std::string>& args) {
  return {args.begin(), args.end()};
}

}  // namespace

std::shared_ptr<Connection> Connection::create(boost::asio::io_context& io,
                                               ConnectionOptions options) {
  return std::shared_ptr<Connection>(new Connection(io, std::move(options)));
}

Connection::Connection(boost::asio::io_context& io, ConnectionOptions options)
    : io_(io), options_(std::move(options)), timer_(io) {}

Connection::~Connection() {
  if (transport_) transport_->close();
}

void Connection::send(std::vector<std::string> args, Callback done) {
  if (state_ == State::kIdle) {
    if (Clock::now() < next_connect_) {
      boost::asio::post(io_, [done = std::move(done), where = options_.host] {
        done(Error{Error::Code::kUnavailable, "", "redis " + where + ": reconnecting"});
      });
      return;
    }
    connect();
  }
  append_command(queued_, views(args));
  pending_.push_back({std::move(done), Clock::now(), false});
  if (state_ == State::kReady) flush();
}

void Connection::connect() {
  state_ = State::kConnecting;
  const uint64_t gen = ++generation_;
  transport_ = std::make_shared<net::Transport>(tcp::socket(io_));
  // AUTH goes first, ahead of whatever is queued while connecting.
  if (!options_.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options_.username.empty()) auth.push_back(options_.username);
    auth.push_back(options_.password);
    append_command(queued_, views(auth));
    pending_.push_back({nullptr, Clock::now(), true});
  }
  timer_.expires_after(options_.connect_timeout);
  timer_.async_wait([self = shared_from_this(), gen](boost::system::error_code ec) {
    if (!ec && gen == self->generation_ && self->state_ == State::kConnecting) {
      self->fail("connect timed out");
    }
  });
  auto resolver = std::make_shared<tcp::resolver>(io_);
  resolver->async_resolve(
      options_.host, std::to_string(options_.port),
      [self = shared_from_this(), gen, resolver, t = transport_](
          boost::system::error_code ec, const tcp::resolver::results_type& results) {
        if (gen != self->generation_) return;
        if (ec) return self->fail("resolve: " + ec.message());
        boost::asio::async_connect(t->socket(), results,
                                   [self, gen, t](boost::system::error_code ec2, const auto&) {
                                     if (gen != self->generation_) return;
                                     if (ec2) return self->fail("connect: " + ec2.message());
                                     self->on_tcp_connected(t);
                                   });
      });
}

void Connection::on_tcp_connected(const std::shared_ptr<net::Transport>& t) {
  boost::system::error_code ignored;
  t->socket().set_option(tcp::no_delay(true), ignored);
  if (options_.tls == nullptr) return on_connected();
  t->enable_tls(options_.tls);
  SSL* ssl = t->tls()->native_handle();
  const std::string& name =
      options_.tls_server_name.empty() ? options_.host : options_.tls_server_name;
  SSL_set_tlsext_host_name(ssl, name.c_str());
  SSL_set1_host(ssl, name.c_str());  // enforced only when the context verifies
  t->tls()->async_handshake(
      boost::asio::ssl::stream_base::client,
      [self = shared_from_this(), gen = generation_, t](boost::system::error_code ec) {
        if (gen != self->generation_) return;
        if (ec) return self->fail("TLS handshake: " + ec.message());
        self->on_connected();
      });
}

void Connection::on_connected() {
  state_ = State::kReady;
  read();
  flush();
  arm_watchdog();
}

void Connection::flush() {
  if (write_in_flight_ || queued_.empty() || state_ != State::kReady) return;
  // The batch is the write's own: a failure that starts a new connection
  // never reuses memory an aborted write may still point at.
  auto batch = std::make_shared<std::string>(std::move(queued_));
  queued_.clear();
  write_in_flight_ = true;
  transport_->async_write(boost::asio::buffer(*batch),
                          [self = shared_from_this(), gen = generation_, batch, t = transport_](
                              boost::system::error_code ec, size_t) {
                            if (gen != self->generation_) return;
                            self->write_in_flight_ = false;
                            if (ec) return self->fail("write: " + ec.message());
                            self->flush();
                          });
}

void Connection::read() {
  transport_->async_read_some(
      boost::asio::buffer(read_buffer_), [self = shared_from_this(), gen = generation_,
                                          t = transport_](boost::system::error_code ec, size_t n) {
        if (gen != self->generation_) return;
        if (ec)
          return self->fail(ec == boost::asio::error::eof ? "closed by the server"
                                                          : "read: " + ec.message());
        self->on_data(n);
      });
}

void Connection::on_data(size_t bytes) {
  inbox_.append(read_buffer_.data(), bytes);
  const uint64_t gen = generation_;
  while (gen == generation_) {
    Reply reply;
    size_t consumed = 0;
    const ParseStatus status =
        parse_reply(std::string_view(inbox_).substr(inbox_read_), reply, consumed);
    if (status == ParseStatus::kIncomplete) break;
    if (status == ParseStatus::kMalformed) return fail("a reply that is not RESP");
    inbox_read_ += consumed;
    deliver(std::move(reply));
  }
  if (gen != generation_) return;  // a callback or a failure closed this connection
  if (inbox_read_ == inbox_.size()) {
    inbox_.clear();
    inbox_read_ = 0;
  }
  read();
}

void Connection::deliver(Reply reply) {
  if (pending_.empty()) return fail("a reply to no command");
  Pending p = std::move(pending_.front());
  pending_.pop_front();
  if (p.internal) {
    if (reply.is_error()) fail("AUTH refused: " + reply.text);
    return;
  }
  p.done(std::move(reply));
}

void Connection::arm_watchdog() {
  timer_.expires_after(options_.command_timeout / 2);
  timer_.async_wait([self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
    if (ec || gen != self->generation_) return;
    if (!self->pending_.empty() &&
        Clock::now() - self->pending_.front().sent > self->options_.command_timeout) {
      return self->fail("command timed out");
    }
    self->arm_watchdog();
  });
}

void Connection::close() { fail("closed"); }

void Connection::fail(const std::string& why) {
  ++generation_;
  state_ = State::kIdle;
  next_connect_ = Clock::now() + options_.reconnect_backoff;
  timer_.cancel();
  if (transport_) transport_->close();
  transport_.reset();
  queued_.clear();
  write_in_flight_ = false;
  inbox_.clear();
  inbox_read_ = 0;
  std::deque<Pending> failed;
  failed.swap(pending_);
  const std::string message =
      "redis " + options_.host + ":" + std::to_string(options_.port) + ": " + why;
  for (Pending& p : failed) {
    if (!p.internal) p.done(Error{Error::Code::kUnavailable, "", message});
  }
}

}  // namespace archway::redis

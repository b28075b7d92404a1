#include "proxy/server/worker.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include <cstdlib>
#include <vector>

#include "proxy/backend/h2_sessions.h"
#include "proxy/backend/pool.h"
#include "proxy/client/dispatch.h"

namespace archway::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Worker::Worker(size_t index, OnLoopException on_loop_exception, size_t metrics_label_limit,
               bool request_metrics)
    : index_(index),
      on_loop_exception_(on_loop_exception),
      stats_(metrics_label_limit),
      pool_(std::make_shared<backend::Pool>(io_)),
      h2_sessions_(std::make_shared<backend::H2Sessions>(io_, pool_)),
      rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)) {
  stats_.set_request_metrics(request_metrics);
}

identity::OutboundIntrospectionCaller::Options Worker::introspection_options(
    metrics::WorkerStats& stats) {
  using Outcome = identity::OutboundIntrospectionCaller::Outcome;
  identity::OutboundIntrospectionCaller::Options options;
  options.observe = [&stats](Outcome outcome, std::chrono::steady_clock::duration took) {
    const auto result =
        outcome == Outcome::kActive     ? metrics::IntrospectionCallResult::kActive
        : outcome == Outcome::kInactive ? metrics::IntrospectionCallResult::kInactive
        : outcome == Outcome::kError    ? metrics::IntrospectionCallResult::kError
                                        : metrics::IntrospectionCallResult::kUnavailable;
    stats.introspection_calls().record(result, std::chrono::duration<double>(took).count());
  };
  return options;
}

Worker::~Worker() {
  stop_and_join();
  // The pending handlers own the open connections; ~io_context would destroy
  // them only after the members declared after io_ (deadlines_, pools, ...),
  // which their destructors may still use. Destroy them now, with every
  // member alive.
  io_.destroy_pending_handlers();
}

void Worker::start() {
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    while (true) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        on_loop_exception(e.what());
      } catch (...) {
        on_loop_exception("not a std::exception");
      }
    }
  });
}

void Worker::on_loop_exception(const char* what) {
  // A handler threw: a bug (errors on the request path are values). In
  // production the worker keeps serving its other connections; the
  // counter makes the bug visible. Under tests it ends the process.
  stats_.loop_exception();
  spdlog::error("worker {}: exception escaped a handler: {}", index_, what);
  if (on_loop_exception_ == OnLoopException::kAbort) {
    spdlog::critical("worker {}: aborting (--abort-on-loop-exception)", index_);
    spdlog::default_logger()->flush();
    std::abort();
  }
}

void Worker::stop_and_join() {
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
}

void Worker::post_table(std::shared_ptr<const exchange::TableContext> table) {
  asio::post(io_, [this, table = std::move(table)]() mutable { swap_table(std::move(table)); });
}

void Worker::swap_table(std::shared_ptr<const exchange::TableContext> table) {
  const bool first = table_ == nullptr;
  table_ = std::move(table);
  if (first) return;
  // Old pools finish their in-flight exchanges and are never reused.
  pool_->retire();
  pool_ = std::make_shared<backend::Pool>(io_);
  h2_sessions_->retire();
  h2_sessions_ = std::make_shared<backend::H2Sessions>(io_, pool_);
  stats_.fold();
}

void Worker::post_listener_add(const std::string& key, bool tls, int fd) {
  asio::post(io_, [this, key, tls, fd] {
    Listener listener;
    listener.tls = tls;
    listener.acceptor = std::make_unique<tcp::acceptor>(io_);
    boost::system::error_code ec;
    // The control thread bound it; the protocol is read back from the fd.
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    listener.acceptor->assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
      spdlog::error("worker {}: listener {}: {}", index_, key, ec.message());
      ::close(fd);
      return;
    }
    auto [it, inserted] = listeners_.insert_or_assign(key, std::move(listener));
    if (!draining_) accept(it->second);
  });
}

void Worker::post_listener_remove(const std::string& key) {
  asio::post(io_, [this, key] { listeners_.erase(key); });
}

void Worker::accept(Listener& listener) {
  listener.acceptor->async_accept([this, acceptor = listener.acceptor.get(), tls = listener.tls](
                                      boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // listener closed
    if (!ec && !draining_) {
      socket.set_option(tcp::no_delay(true), ec);
      client::start_client_connection(*this, std::move(socket), tls);
    }
    if (draining_) return;
    // Find the listener again: it may have been removed meanwhile.
    for (auto& [key, l] : listeners_) {
      if (l.acceptor.get() == acceptor) {
        accept(l);
        return;
      }
    }
  });
}

void Worker::post_drain() {
  asio::post(io_, [this] {
    draining_ = true;
    listeners_.clear();  // stop accepting; the kernel refuses new connections
    std::vector<client::Connection*> copy(connections_.begin(), connections_.end());
    for (client::Connection* c : copy) {
      if (connections_.contains(c)) c->drain();
    }
  });
}

void Worker::post_close_all() {
  asio::post(io_, [this] {
    std::vector<client::Connection*> copy(connections_.begin(), connections_.end());
    for (client::Connection* c : copy) {
      if (connections_.contains(c)) c->close_now();
    }
  });
}

size_t Worker::next_endpoint(const std::string& cluster, size_t count) {
  size_t& cursor = rr_[cluster];
  return cursor++ % count;
}

void Worker::add_connection(client::Connection* c) {
  connections_.insert(c);
  open_.fetch_add(1, std::memory_order_relaxed);
  stats_.connection_opened();
}

void Worker::remove_connection(client::Connection* c) {
  if (connections_.erase(c) == 0) return;
  open_.fetch_sub(1, std::memory_order_relaxed);
  stats_.connection_closed();
}

}  // namespace archway::server

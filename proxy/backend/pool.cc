#include "proxy/backend/pool.h"

#include <algorithm>

#include "proxy/backend/h1_connection.h"

namespace archway::backend {

Pool::~Pool() { retire(); }

std::shared_ptr<H1Connection> Pool::acquire(const boost::asio::ip::tcp::endpoint& endpoint,
                                            std::chrono::milliseconds connect_timeout,
                                            const TlsTarget* tls, bool unretryable) {
  auto it = idle_.find(Key{endpoint, tls != nullptr ? tls->ctx : nullptr});
  if (it != idle_.end()) {
    auto& list = it->second;
    while (!list.empty()) {
      auto conn = std::move(list.back());  // most recently used: warmest
      list.pop_back();
      if (!conn->usable()) continue;
      // A retryable request on a connection the backend closed is sent
      // again on a fresh one (Exchange::on_backend_failure); others check.
      if (unretryable && conn->unwatched() && !conn->still_open()) continue;
      return conn;
    }
  }
  return create(endpoint, connect_timeout, tls);
}

std::shared_ptr<H1Connection> Pool::create(const boost::asio::ip::tcp::endpoint& endpoint,
                                           std::chrono::milliseconds connect_timeout,
                                           const TlsTarget* tls) {
  return std::make_shared<H1Connection>(io_, endpoint, weak_from_this(), connect_timeout, tls);
}

void Pool::release(std::shared_ptr<H1Connection> connection) {
  auto& list = idle_[connection->key()];
  if (retired_ || list.size() >= kMaxIdlePerEndpoint) {
    connection->close();
    return;
  }
  const bool unwatched = connection->unwatched();
  list.push_back(std::move(connection));
  if (unwatched) schedule_watch();
}

void Pool::schedule_watch() {
  if (watch_scheduled_) return;
  watch_scheduled_ = true;
  watch_timer_.expires_after(kWatchAfter);
  watch_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->watch_scheduled_ = false;
    // Everything still idle and unwatched now, some of it idle for less
    // than kWatchAfter: one recv each per second at most, cheap.
    for (auto& [key, list] : self->idle_) {
      for (auto& conn : list) {
        if (conn->unwatched()) conn->watch();
      }
    }
  });
}

void Pool::forget(const H1Connection* connection) {
  auto it = idle_.find(connection->key());
  if (it == idle_.end()) return;
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const auto& c) { return c.get() == connection; }),
             list.end());
}

void Pool::retire() {
  retired_ = true;
  watch_timer_.cancel();
  auto idle = std::move(idle_);
  idle_.clear();
  for (auto& [endpoint, list] : idle) {
    for (auto& conn : list) conn->close();
  }
}

}  // namespace archway::backend

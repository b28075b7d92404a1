#include "proxy/backend/pool.h"

#include <algorithm>

#include "proxy/backend/h1_connection.h"

namespace archway::backend {

Pool::~Pool() { retire(); }

std::shared_ptr<H1Connection> Pool::acquire(const boost::asio::ip::tcp::endpoint& endpoint,
                                            std::chrono::milliseconds connect_timeout,
                                            const TlsTarget* tls) {
  auto it = idle_.find(Key{endpoint, tls != nullptr ? tls->ctx : nullptr});
  if (it != idle_.end()) {
    auto& list = it->second;
    while (!list.empty()) {
      auto conn = std::move(list.back());  // most recently used: warmest
      list.pop_back();
      if (conn->usable()) return conn;
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
  list.push_back(std::move(connection));
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
  auto idle = std::move(idle_);
  idle_.clear();
  for (auto& [endpoint, list] : idle) {
    for (auto& conn : list) conn->close();
  }
}

}  // namespace archway::backend

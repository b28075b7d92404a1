#include "proxy/backend/h2_sessions.h"

#include "proxy/backend/h2_session.h"
#include "proxy/backend/h2_stream.h"
#include "proxy/http/hop_by_hop.h"
#include "proxy/metrics/worker_stats.h"

namespace archway::backend {

H2Sessions::~H2Sessions() { retire(); }

http::Headers h2_request_head(const http::Request& request, const std::string& path,
                              std::string_view scheme) {
  http::Headers head;
  head.reserve(request.headers.size() + 6);
  head.push_back({":method", request.method});
  head.push_back({":scheme", std::string(scheme)});
  head.push_back({":authority", request.authority});
  head.push_back({":path", path});
  for (const auto& h : request.headers) {
    if (h.name == "host" || http::is_hop_by_hop(h.name)) continue;
    head.push_back(h);
  }
  if (request.te_trailers) head.push_back({"te", "trailers"});
  if (request.content_length && request.has_body) {
    head.push_back({"content-length", std::to_string(*request.content_length)});
  }
  return head;
}

std::shared_ptr<H2Session> H2Sessions::session_for(const boost::asio::ip::tcp::endpoint& endpoint,
                                                   const H2Session::Settings& settings,
                                                   bool* created) {
  auto& slot = sessions_[Key{endpoint, settings.tls}];
  if (!slot || !slot->usable()) {
    slot = std::make_shared<H2Session>(io_, endpoint, weak_from_this(), settings);
    if (retired_) slot->retire();
    if (created != nullptr) *created = true;
  }
  return slot;
}

H2Sessions::Opened H2Sessions::open(const config::Cluster& cluster, SSL_CTX* tls,
                                    const boost::asio::ip::tcp::endpoint& endpoint,
                                    const http::Request& request, const std::string& path,
                                    http::BackendEvents* events, metrics::WorkerStats* stats) {
  const bool https = cluster.protocol == config::ClusterProtocol::kHttps;
  if (https && tls == nullptr) return {nullptr, OpenError::kUnavailable};
  H2Session::Settings settings{cluster.connect_timeout, https ? tls : nullptr,
                               cluster.tls_server_name.value_or(""), cluster.tls_verify};
  bool created = false;
  auto session = session_for(endpoint, settings, &created);
  if (created && stats != nullptr) {
    session->count_as(metrics::CountedConnection(stats->connection_gauge(cluster.name)));
  }
  return open_on(*session, settings, request, path, events);
}

H2Sessions::Opened H2Sessions::open(const H2Session::Settings& settings,
                                    const boost::asio::ip::tcp::endpoint& endpoint,
                                    const http::Request& request, const std::string& path,
                                    http::BackendEvents* events) {
  return open_on(*session_for(endpoint, settings), settings, request, path, events);
}

H2Sessions::Opened H2Sessions::open_on(H2Session& session, const H2Session::Settings& settings,
                                       const http::Request& request, const std::string& path,
                                       http::BackendEvents* events) {
  if (!session.can_take()) return {nullptr, OpenError::kOverloaded};
  auto stream = std::make_unique<H2Stream>(
      events, h2_request_head(request, path, settings.tls != nullptr ? "https" : "http"),
      request.has_body);
  H2Stream* raw = stream.get();
  if (!session.add(stream)) return {nullptr, OpenError::kUnavailable};
  return {raw, OpenError::kNone};
}

void H2Sessions::adopt(const H2Session& refusing, std::unique_ptr<H2Stream>& stream) {
  auto session = session_for(refusing.endpoint(), refusing.settings());
  if (!session->add(stream)) stream->fail(http::BackendEvents::Failure::kReset);
  if (retired_)
    sessions_.erase(
        Key{refusing.endpoint(), refusing.settings().tls});  // the session lives on its own I/O
}

void H2Sessions::retire() {
  retired_ = true;
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& [endpoint, session] : sessions) session->retire();
}

H2Sessions::Alpn H2Sessions::alpn(const boost::asio::ip::tcp::endpoint& endpoint,
                                  SSL_CTX* tls) const {
  auto it = alpn_.find(Key{endpoint, tls});
  if (it == alpn_.end()) return Alpn::kUnknown;
  if (it->second.alpn == Alpn::kHttp1 &&
      std::chrono::steady_clock::now() - it->second.since > kHttp1Recheck) {
    return Alpn::kUnknown;  // time to try HTTP/2 again
  }
  return it->second.alpn;
}

void H2Sessions::remember(const boost::asio::ip::tcp::endpoint& endpoint, SSL_CTX* tls, Alpn alpn) {
  alpn_[Key{endpoint, tls}] = Memory{alpn, std::chrono::steady_clock::now()};
}

void H2Sessions::forget(const H2Session* session) {
  auto it = sessions_.find(Key{session->endpoint(), session->settings().tls});
  if (it != sessions_.end() && it->second.get() == session) sessions_.erase(it);
}

}  // namespace archway::backend

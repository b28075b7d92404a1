#pragma once
// What the introspection filter's tests share: a worker (loop, outbound
// client, introspection caller), a route with auth.oauth2Introspection at a
// loopback endpoint, and one exchange run through a compiled chain.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "filter_test_util.h"
#include "proxy/filters/filter_chain.h"
#include "proxy/filters/registry.h"
#include "proxy/identity/outbound/introspection_caller.h"
#include "proxy/outbound/http_client.h"
#include "tests/proxy/outbound_test_server.h"

namespace archway::filters::introspection_test {

using metrics::PolicyCounter;
using test_outbound::WorkerPools;
using testing::field;

struct Worker {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work =
      boost::asio::make_work_guard(io);
  WorkerPools pools{io};
  outbound::HttpClient client{io, pools};
  // How the caller's calls ended, by Outcome; before the caller, which
  // reports its calls still in flight when it is destroyed.
  std::array<int, 4> outcomes{};
  identity::OutboundIntrospectionCaller caller{client, options()};

  identity::OutboundIntrospectionCaller::Options options() {
    identity::OutboundIntrospectionCaller::Options out;
    out.timeout = std::chrono::milliseconds(2000);
    out.observe = [this](identity::OutboundIntrospectionCaller::Outcome outcome, auto) {
      ++outcomes[static_cast<size_t>(outcome)];
    };
    return out;
  }

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(std::chrono::milliseconds(20));
    }
    return done();
  }
};

inline config::Route introspection_route(uint16_t port,
                                         std::vector<std::string> scopes = {"orders:read"},
                                         std::string rule = "read") {
  config::Route route;
  route.route_name = "orders";
  route.rule_name = std::move(rule);
  route.policies.auth.emplace();
  route.policies.auth->oauth2_introspection = config::OAuth2Introspection{
      .endpoint = "http://127.0.0.1:" + std::to_string(port) + "/admin/oauth2/introspect",
      .client_id = "gateway",
      .client_secret = "s3cret",
      .required_scopes = std::move(scopes),
      .cache_ttl = std::chrono::seconds(30),
      .token_source = {}};
  return route;
}

// One exchange of a request through a compiled chain on `worker`.
class Exchange {
 public:
  Exchange(Worker& worker, const config::Route& route, http::Headers headers)
      : compiled_{.route = route,
                  .virtual_host_index = 0,
                  .index = 0,
                  .cumulative_weights = {},
                  .total_weight = 0},
        ctx_(request_, match_, path_, "", client_authority_, stats_, &worker.client,
             &worker.caller) {
    match_.route = &compiled_;
    request_.method = "GET";
    request_.authority = "api.example.com";
    request_.target = "/v1/orders";
    request_.headers = std::move(headers);
  }

  void start(const CompiledChain& chain) { chain_.start(chain, ctx_); }
  [[nodiscard]] bool done() const { return owner_.run.continued || owner_.run.reply.has_value(); }
  [[nodiscard]] int status() const {
    if (owner_.run.continued) return 0;
    return owner_.run.reply ? owner_.run.reply->status : -1;
  }
  [[nodiscard]] std::optional<std::string> www_authenticate() const {
    return owner_.run.reply ? field(owner_.run.reply->headers, "www-authenticate") : std::nullopt;
  }
  [[nodiscard]] std::string body() const {
    return owner_.run.reply ? owner_.run.reply->body : std::string();
  }
  [[nodiscard]] const std::string& identity() const { return ctx_.identity(); }
  [[nodiscard]] const http::Request& request() const { return request_; }
  [[nodiscard]] uint64_t count(PolicyCounter counter) const {
    uint64_t total = 0;
    for (const auto& [key, n] : stats_.snapshot().policy_events) {
      if (std::get<2>(key) == static_cast<int>(counter)) total += n;
    }
    return total;
  }

 private:
  routing::CompiledRoute compiled_;
  routing::RouteMatch match_;
  http::Request request_;
  std::string path_ = "/v1/orders";
  std::string client_authority_;
  metrics::WorkerStats stats_;
  FilterContext ctx_;
  testing::FakeExchange owner_;
  FilterChain chain_{owner_};
};

// Runs one request to its end.
inline std::unique_ptr<Exchange> run(Worker& worker, const config::Route& route,
                                     const CompiledChain& chain, http::Headers headers) {
  auto exchange = std::make_unique<Exchange>(worker, route, std::move(headers));
  exchange->start(chain);
  worker.run_until([&] { return exchange->done(); });
  return exchange;
}

inline http::Headers bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

}  // namespace archway::filters::introspection_test

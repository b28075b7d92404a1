#pragma once
// A fake exchange for filter tests: the context an exchange gives its
// chain, a chain owner that records how the request phase ended, and one
// call that runs a compiled chain and then a response head through it.

#include <map>
#include <optional>
#include <string>

#include "proxy/filters/filter_chain.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/routing/route_table.h"

namespace archway::filters::testing {

struct ChainRun {
  bool continued = false;
  std::optional<LocalReply> reply;
  http::Response response;  // what the client gets: the reply's or the backend's head
  std::string path;         // what the backend gets (before the query)
  http::Request request;    // as the backend gets it
  std::string client_authority;
  std::string identity;  // FilterContext::identity() once the chain is done
  uint64_t cors_denied = 0;
  // Every policy counter that moved, by metrics::PolicyCounter.
  std::map<metrics::PolicyCounter, uint64_t> policy_counts;
};

class FakeExchange final : public ChainOwner {
 public:
  void on_chain_continue() override { run.continued = true; }
  void on_chain_local_reply(LocalReply reply) override { run.reply = std::move(reply); }
  ChainRun run;
};

// Runs `chain` for `request` on `route` (matched with `match`'s captures);
// when it continues, `backend` is the backend's response head.
inline ChainRun run_chain(const CompiledChain& chain, const config::Route& route,
                          http::Request request, std::string path = "/",
                          std::string_view query = "", http::Response backend = {},
                          routing::RouteMatch match = {}) {
  const routing::CompiledRoute compiled{.route = route,
                                        .virtual_host_index = 0,
                                        .index = 0,
                                        .cumulative_weights = {},
                                        .total_weight = 0};
  match.route = &compiled;
  std::string client_authority;
  metrics::WorkerStats stats;
  FakeExchange exchange;
  FilterContext ctx(request, match, path, query, client_authority, stats);
  FilterChain runner(exchange);
  runner.start(chain, ctx);
  ChainRun out = std::move(exchange.run);
  if (out.reply) {
    out.response.status = out.reply->status;
    out.response.headers = out.reply->headers;
  } else {
    out.response = std::move(backend);
  }
  runner.on_response_head(out.response);
  for (const auto& [key, count] : stats.snapshot().policy_events) {
    if (std::get<2>(key) == static_cast<int>(metrics::PolicyCounter::kCorsDenied)) {
      out.cors_denied += count;
    }
    out.policy_counts[static_cast<metrics::PolicyCounter>(std::get<2>(key))] += count;
  }
  out.path = path;
  out.request = std::move(request);
  out.client_authority = client_authority;
  out.identity = ctx.identity();
  return out;
}

// The value of `name` in `headers`, or nullopt; fails the test on a duplicate.
inline std::optional<std::string> field(const http::Headers& headers, std::string_view name) {
  std::optional<std::string> out;
  for (const auto& h : headers) {
    if (h.name != name) continue;
    if (out) return "DUPLICATE";
    out = h.value;
  }
  return out;
}

}  // namespace archway::filters::testing

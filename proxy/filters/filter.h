#pragma once
// The policy interface (DESIGN.md §1, docs/policies.md). A policy is two
// objects, after Envoy's filters:
//   - a FilterConfig, compiled once per snapshot from the route's typed
//     policy and shared read-only by every worker (state shared across
//     workers — counters, caches, keys — hangs off it, never globals);
//   - an ExchangeFilter, made by the config for one exchange, on the
//     exchange's worker only. A policy with nothing of its own to keep per
//     exchange derives from StatelessFilter: its config is its filter, so an
//     exchange costs it no allocation.
// The request-phase call continues, answers locally, or suspends; a
// suspended filter resumes the chain later, from the worker's loop, through
// the Resume handle FilterContext::suspend gave it. The response-phase call
// sees every response head (the backend's or a local answer) of an exchange
// whose request phase reached the filter.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/http/message.h"
#include "proxy/metrics/worker_stats.h"
#include "proxy/routing/route_table.h"

namespace archway::outbound {
class HttpClient;
}
namespace archway::identity {
class OutboundIntrospectionCaller;
}

namespace archway::filters {

// An answer the chain gives itself, without a backend. Errors carry the
// small JSON body of DESIGN.md §4 ({"error": "...", "status": N};
// http/error_body.h) with content-type application/json.
struct LocalReply {
  int status = 0;
  http::Headers headers;
  std::string body;
};

// What a request-phase call decided.
enum class FilterStatus {
  kContinue,    // next filter (or the backend once the chain ends)
  kLocalReply,  // stop: answer with the reply set through the out-parameter
  kSuspend,     // stop until the filter calls the Resume from FilterContext::suspend
};

class FilterChain;

// How a body-transforming filter (FilterConfig::has_body_transform) wants
// one exchange's body to reach the other side (docs/transform.md).
struct BodyPlan {
  enum class Kind {
    kStream,  // untouched, streamed as it comes: the filter has nothing to do
    kBuffer,  // whole, up to max_bytes, then handed to on_*_body
    kReject,  // refused at once (not JSON, per the policy): `status`
  };
  Kind kind = Kind::kStream;
  uint64_t max_bytes = 0;          // kBuffer: a longer body is over the limit
  bool reject_over_limit = false;  // kBuffer: over the limit refuses (else it streams)
  int status = 0;                  // kReject: the request's answer (the response's is 502)
};

// What a body-transforming filter made of a whole body.
enum class BodyVerdict {
  kPass,      // unchanged: the original bytes go on
  kReplaced,  // the filter replaced the body; the exchange fixes Content-Length
  kReject,    // refused: the request's answer is the reply set; a response's is 502
};

// Handed to a filter that suspends. Calling it resumes the chain on the
// calling thread, which must be the exchange's worker (post the completion
// there first), and never from inside on_request. Safe to call after the
// exchange is gone: it does nothing then. At most one call counts.
class Resume {
 public:
  Resume() = default;
  // The filter's decision once its wait is over (kContinue or kLocalReply).
  void operator()(FilterStatus status, LocalReply reply = {});
  [[nodiscard]] bool active() const { return !chain_.expired(); }

 private:
  friend class FilterChain;
  explicit Resume(std::weak_ptr<FilterChain*> chain) : chain_(std::move(chain)) {}
  std::weak_ptr<FilterChain*> chain_;
};

// The route's backends as a policy's own request reaches them (a cache's
// background refresh): implemented by the exchange over the table it pins.
class RouteBackends {
 public:
  // "address:port" of one endpoint of the route's backends, chosen as for
  // a request, when its cluster speaks cleartext HTTP/1.1 (what the
  // outbound client reaches as the exchange does); nullopt otherwise.
  [[nodiscard]] virtual std::optional<std::string> http_endpoint() = 0;
  // The same for any cluster of the pinned snapshot (an aggregate's parts):
  // one endpoint of `cluster`, chosen round-robin as the exchange does,
  // when it speaks cleartext HTTP/1.1; nullopt for an unknown cluster, one
  // with no endpoint, or an H2C or HTTPS one.
  [[nodiscard]] virtual std::optional<std::string> cluster_http_endpoint(
      std::string_view cluster) = 0;

 protected:
  ~RouteBackends() = default;  // never owned through this interface
};

// What a filter sees of its exchange. Owned by the exchange, which keeps
// every referenced object alive until the exchange ends; worker-thread only.
class FilterContext {
 public:
  FilterContext(http::Request& request, const routing::RouteMatch& match, std::string& path,
                std::string_view query, std::string& client_authority, metrics::WorkerStats& stats,
                outbound::HttpClient* outbound = nullptr,
                identity::OutboundIntrospectionCaller* introspection = nullptr)
      : request(request),
        match(match),
        path(path),
        query(query),
        client_authority(client_authority),
        outbound(outbound),
        introspection(introspection),
        stats_(stats) {}
  FilterContext(const FilterContext&) = delete;
  FilterContext& operator=(const FilterContext&) = delete;

  http::Request& request;            // the client's head; filters may edit it in place
  const routing::RouteMatch& match;  // the route the exchange runs (captures for rewrites)
  // The normalised path the route matched, without the query: what the
  // backend gets once the chain is done (request transformation rewrites it).
  std::string& path;
  std::string_view query;  // after '?', without it
  // The client's authority when a filter replaced request.authority (the
  // access log shows the client's); empty otherwise.
  std::string& client_authority;
  // The worker's outbound client (outbound/http_client.h), for what a
  // policy fetches; its io() is the loop a suspended filter resumes on.
  // Null only where a test runs a chain without a worker.
  outbound::HttpClient* outbound;
  // The worker's introspection caller (identity/outbound/
  // introspection_caller.h), over `outbound`: it owns the calls that
  // requests of every worker may wait on. Null where `outbound` is.
  identity::OutboundIntrospectionCaller* introspection;
  // The route's backends for a policy's own requests; null where a test
  // runs a chain without an exchange.
  RouteBackends* backends = nullptr;
  // An aggregate's parts for the access log, a JSON object written by the
  // aggregate filter once its parts are done ({"order":{"outcome":"ok",
  // "status":200,"ms":3}}); empty otherwise.
  std::string aggregate_parts_log;

  // Counts a per-route policy event in the worker's stats.
  void count(metrics::PolicyCounter counter) {
    const routing::CompiledRoute& route = *match.route;
    stats_.count_policy(&route, route.route.route_name, route.route.rule_name, counter);
  }

  // Counts a request served as a declared version (versioning filter).
  void count_version(int version_index, const std::string& version) {
    const routing::CompiledRoute& route = *match.route;
    stats_.count_version(&route, route.route.route_name, route.route.rule_name, version_index,
                         version);
  }
  // Counts one aggregate part's outcome (metrics::kAggregateOutcomeNames)
  // under the route's labels; `part_key` is the part in the pinned snapshot.
  void count_aggregate_part(const void* part_key, const std::string& part, int outcome) {
    const routing::CompiledRoute& route = *match.route;
    stats_.count_aggregate_part(part_key, route.route.route_name, route.route.rule_name, part,
                                outcome);
  }

  // Who the request authenticated as: an API key's id, a token's `sub`.
  // Set by the route's auth filter once it let the request through; empty
  // when the route has no auth or the token has no subject. What the
  // access log writes and what a rate limit keyed by APIKey or User reads.
  [[nodiscard]] const std::string& identity() const { return identity_; }
  void set_identity(std::string_view identity) { identity_.assign(identity); }

  // For the filter about to return kSuspend: the handle that resumes the
  // chain. The only allocation of the chain, made only here.
  [[nodiscard]] Resume suspend();

  // One word of per-exchange state for the running filter, zero when the
  // exchange starts: what a StatelessFilter remembers between its request
  // and response calls.
  [[nodiscard]] uintptr_t& state();

 private:
  friend class FilterChain;
  metrics::WorkerStats& stats_;
  std::string identity_;
  FilterChain* chain_ = nullptr;  // set by the chain that runs this context
  size_t slot_ = 0;               // the filter being called
};

class ExchangeFilter {
 public:
  virtual ~ExchangeFilter() = default;
  // The request head is complete. On kLocalReply the filter fills `reply`;
  // on kSuspend it keeps ctx.suspend()'s handle (and whatever it waits on).
  [[nodiscard]] virtual FilterStatus on_request(FilterContext& ctx, LocalReply& reply) = 0;
  // A response head goes to the client: the backend's, or a local answer
  // given after this filter's request phase ran (by a later filter or by
  // the exchange: 502, 503, 504). Called in reverse chain order.
  virtual void on_response_head(FilterContext& /*ctx*/, http::Response& /*response*/) {}
  // Observe-only body hooks, for filters whose config has_response_body_hook()
  // and whose request phase ran: each piece of the response body the client
  // is sent (the backend's, or a local answer's), its trailers, and once,
  // how the response ended: `complete` when the client got all of it,
  // false when it was cut (backend reset mid-body, client gone, timeout,
  // exchange destroyed first). Nothing is called after on_response_end.
  virtual void on_response_data(FilterContext& /*ctx*/, std::string_view /*data*/) {}
  virtual void on_response_trailers(FilterContext& /*ctx*/, const http::Headers& /*trailers*/) {}
  virtual void on_response_end(FilterContext& /*ctx*/, bool /*complete*/) {}
  // Whole-body hooks, for filters whose config has_body_transform() and
  // whose request phase ran (docs/transform.md). plan_request_body is asked
  // once the request phase continued, for a request with a body, before
  // anything goes to the backend; on kBuffer the body is collected and
  // on_request_body gets all of it (never a part: over the limit it
  // streams or is refused with 413, per the plan). plan_response_body is
  // asked when the backend's head comes, before it goes to the client; on
  // kBuffer on_response_body gets the whole body (the head may be edited;
  // Content-Length is set from the body afterwards), and nothing, not the
  // head either, reaches the client before.
  virtual BodyPlan plan_request_body(FilterContext& /*ctx*/) { return {}; }
  virtual BodyVerdict on_request_body(FilterContext& /*ctx*/, std::string& /*body*/,
                                      LocalReply& /*reply*/) {
    return BodyVerdict::kPass;
  }
  virtual BodyPlan plan_response_body(FilterContext& /*ctx*/, const http::Response& /*head*/) {
    return {};
  }
  virtual BodyVerdict on_response_body(FilterContext& /*ctx*/, http::Response& /*head*/,
                                       std::string& /*body*/) {
    return BodyVerdict::kPass;
  }
  // The backend failed before any response head (`status` is what the
  // exchange would answer: 502 connect failure or reset, 503 no endpoint or
  // overloaded, 504 timeout) or its head says 500, 502, 503 or 504. A filter
  // whose config has_backend_error_hook() may answer instead (a cache's
  // stale-if-error): the backend is released and the reply sent, passing
  // through the response hooks of the filters before this one only, as a
  // local answer does. Asked last filter first; the first reply wins.
  virtual std::optional<LocalReply> on_backend_error(FilterContext& /*ctx*/, int /*status*/) {
    return std::nullopt;
  }
  // The exchange ends while this filter is suspended (client gone, timeout,
  // snapshot swap): release what is in flight. The Resume handle is already
  // inert when this runs.
  virtual void on_cancel() {}
};

// Owns the filter unless it is a StatelessFilter shared by every exchange.
struct FilterDeleter {
  bool owned = true;
  void operator()(ExchangeFilter* filter) const {
    if (owned) delete filter;
  }
};
using FilterPtr = std::unique_ptr<ExchangeFilter, FilterDeleter>;

class FilterConfig {
 public:
  virtual ~FilterConfig() = default;
  // The filter for one exchange; worker thread.
  [[nodiscard]] virtual FilterPtr create() const = 0;
  // Whether the hooks do anything: the chain makes no call to a hook a
  // filter does not have (a route whose filters only edit responses pays
  // no request-phase call).
  [[nodiscard]] virtual bool has_request_hook() const { return true; }
  [[nodiscard]] virtual bool has_response_hook() const { return false; }
  [[nodiscard]] virtual bool has_response_body_hook() const { return false; }
  [[nodiscard]] virtual bool has_backend_error_hook() const { return false; }
  // The whole-body hooks (body mapping). A route holds at most one such
  // filter; routes without one never buffer a body.
  [[nodiscard]] virtual bool has_body_transform() const { return false; }
};

// A policy whose hooks read only their config and FilterContext (its
// per-exchange word included): one object serves every exchange on every
// worker, so its hooks must not modify it.
class StatelessFilter : public FilterConfig, public ExchangeFilter {
 public:
  [[nodiscard]] FilterPtr create() const final {
    // The hooks are not const only because ExchangeFilter's are not; this
    // class's contract is that they change nothing.
    return FilterPtr(const_cast<StatelessFilter*>(this), FilterDeleter{.owned = false});
  }
};

}  // namespace archway::filters

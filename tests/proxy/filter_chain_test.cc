// The filter chain's request phase against fake filters and a fake exchange:
// a local answer stops it, suspend → resume continues it, and cancelling a
// suspended chain releases the filter and makes its Resume inert (run it
// under ASan to see that a late completion touches nothing freed).

#include "proxy/filters/filter_chain.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/metrics/worker_stats.h"

namespace archway::filters {
namespace {

// What the fakes saw, shared between the test and the filters it configures.
struct Trace {
  std::vector<std::string> calls;
  std::optional<Resume> pending;  // the suspended filter's handle
  int cancels = 0;
  std::vector<std::string> responses;    // response hooks, in call order
  std::vector<std::string> body_events;  // "name:data", "name:trailers", "name:end=1"
  // A filter named here answers a backend error with this status.
  std::string error_answerer;
  std::vector<std::string> errors_asked;
};

class FakeFilter final : public ExchangeFilter {
 public:
  FakeFilter(std::string name, FilterStatus status, Trace& trace)
      : name_(std::move(name)), status_(status), trace_(trace) {}
  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    trace_.calls.push_back(name_);
    if (status_ == FilterStatus::kLocalReply) {
      reply.status = 403;
      reply.body = R"({"error": "forbidden", "status": 403})";
    }
    if (status_ == FilterStatus::kSuspend) {
      in_flight_ = std::make_unique<std::string>("a fetch in flight");
      trace_.pending = ctx.suspend();
    }
    return status_;
  }
  void on_response_head(FilterContext&, http::Response&) override {
    trace_.responses.push_back(name_);
  }
  void on_cancel() override {
    ++trace_.cancels;
    in_flight_.reset();
  }
  void on_response_data(FilterContext&, std::string_view data) override {
    trace_.body_events.push_back(name_ + ":" + std::string(data));
  }
  void on_response_trailers(FilterContext&, const http::Headers&) override {
    trace_.body_events.push_back(name_ + ":trailers");
  }
  void on_response_end(FilterContext&, bool complete) override {
    trace_.body_events.push_back(name_ + ":end=" + (complete ? "1" : "0"));
  }
  std::optional<LocalReply> on_backend_error(FilterContext&, int status) override {
    trace_.errors_asked.push_back(name_);
    if (trace_.error_answerer != name_) return std::nullopt;
    return LocalReply{.status = 200, .headers = {}, .body = "stale " + std::to_string(status)};
  }

 private:
  std::string name_;
  FilterStatus status_;
  Trace& trace_;
  std::unique_ptr<std::string> in_flight_;
};

class FakeConfig final : public FilterConfig {
 public:
  // A name ending in '+' asks for the body and backend-error hooks.
  FakeConfig(std::string name, FilterStatus status, Trace& trace)
      : name_(std::move(name)), status_(status), trace_(trace) {}
  FilterPtr create() const override { return FilterPtr(new FakeFilter(name_, status_, trace_)); }
  bool has_response_hook() const override { return true; }
  bool has_response_body_hook() const override { return name_.ends_with('+'); }
  bool has_backend_error_hook() const override { return name_.ends_with('+'); }

 private:
  std::string name_;
  FilterStatus status_;
  Trace& trace_;
};

struct FakeExchange final : ChainOwner {
  void on_chain_continue() override { ++continued; }
  void on_chain_local_reply(LocalReply reply) override { replies.push_back(std::move(reply)); }
  int continued = 0;
  std::vector<LocalReply> replies;
};

using Configs = CompiledChain;

Configs make(Trace& trace, std::vector<std::pair<std::string, FilterStatus>> spec) {
  Configs configs;
  for (auto& [name, status] : spec) {
    configs.filters.push_back(std::make_unique<FakeConfig>(name, status, trace));
  }
  return configs;
}

// What the exchange owns for its chain's context.
struct FakeRequest {
  http::Request request;
  routing::RouteMatch match;
  std::string path = "/";
  std::string client_authority;
  metrics::WorkerStats stats;
  FilterContext ctx{request, match, path, "", client_authority, stats};
};

constexpr auto kContinue = FilterStatus::kContinue;
constexpr auto kReply = FilterStatus::kLocalReply;
constexpr auto kSuspend = FilterStatus::kSuspend;

TEST(FilterChain, EveryFilterContinuingReachesTheBackend) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}, {"auth", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"cors", "auth"}));
  EXPECT_EQ(exchange.continued, 1);
  EXPECT_TRUE(exchange.replies.empty());
}

TEST(FilterChain, LocalAnswerStopsTheChain) {
  Trace trace;
  const Configs configs =
      make(trace, {{"cors", kContinue}, {"auth", kReply}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"cors", "auth"}));
  EXPECT_EQ(exchange.continued, 0);
  ASSERT_EQ(exchange.replies.size(), 1u);
  EXPECT_EQ(exchange.replies[0].status, 403);
}

TEST(FilterChain, SuspendThenResumeContinuesWithTheNextFilter) {
  Trace trace;
  const Configs configs = make(trace, {{"auth", kSuspend}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  EXPECT_TRUE(chain.suspended());
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"auth"}));
  EXPECT_EQ(exchange.continued, 0);

  ASSERT_TRUE(trace.pending.has_value());
  (*trace.pending)(kContinue);  // e.g. the JWKS arrived, on the worker's loop
  EXPECT_FALSE(chain.suspended());
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"auth", "ratelimit"}));
  EXPECT_EQ(exchange.continued, 1);
  (*trace.pending)(kContinue);  // a second call does not run the chain again
  EXPECT_EQ(exchange.continued, 1);
}

TEST(FilterChain, ResumeWithALocalAnswerStopsTheChain) {
  Trace trace;
  const Configs configs = make(trace, {{"auth", kSuspend}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  (*trace.pending)(kReply, LocalReply{.status = 401, .headers = {}, .body = "{}"});
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"auth"}));
  ASSERT_EQ(exchange.replies.size(), 1u);
  EXPECT_EQ(exchange.replies[0].status, 401);
  EXPECT_EQ(exchange.continued, 0);
}

TEST(FilterChain, CancelWhileSuspendedReleasesTheFilterAndLateResumeIsInert) {
  Trace trace;
  const Configs configs = make(trace, {{"auth", kSuspend}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  auto chain = std::make_unique<FilterChain>(exchange);
  chain->start(configs, request.ctx);
  ASSERT_TRUE(trace.pending.has_value());
  EXPECT_TRUE(trace.pending->active());

  chain.reset();  // the client went away: the exchange and its chain die
  EXPECT_EQ(trace.cancels, 1);
  EXPECT_FALSE(trace.pending->active());
  (*trace.pending)(kContinue);  // the fetch completes later: nothing happens
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"auth"}));
  EXPECT_EQ(exchange.continued, 0);
  EXPECT_TRUE(exchange.replies.empty());
}

TEST(FilterChain, DestroyingAFinishedChainCancelsNothing) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  {
    FilterChain chain(exchange);
    chain.start(configs, request.ctx);
  }
  EXPECT_EQ(trace.cancels, 0);
}

TEST(FilterChain, ResponseHooksRunLastFirstForTheFiltersThatRan) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}, {"auth", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  http::Response response;
  chain.on_response_head(response);
  EXPECT_EQ(trace.responses, (std::vector<std::string>{"auth", "cors"}));
}

TEST(FilterChain, ALocalAnswerPassesOnlyThroughTheFiltersBeforeIt) {
  // CORS must see a later filter's 401/429 to add its fields; the filter
  // that answered built its reply whole, and later ones never ran.
  Trace trace;
  const Configs configs =
      make(trace, {{"cors", kContinue}, {"auth", kReply}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  http::Response response;
  chain.on_response_head(response);
  EXPECT_EQ(trace.responses, (std::vector<std::string>{"cors"}));
}

TEST(FilterChain, ATimeoutWhileSuspendedCancelsAndTheAnswerSkipsTheSuspendedFilter) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}, {"auth", kSuspend}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  chain.cancel();  // the exchange's deadline fired: it answers 504
  EXPECT_EQ(trace.cancels, 1);
  EXPECT_FALSE(trace.pending->active());
  http::Response response;
  chain.on_response_head(response);
  EXPECT_EQ(trace.responses, (std::vector<std::string>{"cors"}));
  (*trace.pending)(kContinue);
  EXPECT_EQ(exchange.continued, 0);
}

TEST(FilterChain, AnEmptyChainContinuesAtOnce) {
  const Configs configs;
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  EXPECT_EQ(exchange.continued, 1);
}

TEST(FilterChain, BodyHooksReachOnlyTheFiltersThatAskForThem) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}, {"cache+", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  chain.on_response_data("abc");
  chain.on_response_trailers(http::Headers{{"grpc-status", "0"}});
  chain.on_response_end(true);
  chain.on_response_end(false);  // delivered once only
  EXPECT_EQ(trace.body_events,
            (std::vector<std::string>{"cache+:abc", "cache+:trailers", "cache+:end=1"}));
}

TEST(FilterChain, AResponseNeverEndedIsReportedIncompleteWhenTheChainDies) {
  Trace trace;
  const Configs configs = make(trace, {{"cache+", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  {
    FilterChain chain(exchange);
    chain.start(configs, request.ctx);
    chain.on_response_data("partial");
  }  // the exchange is destroyed mid-body
  EXPECT_EQ(trace.body_events, (std::vector<std::string>{"cache+:partial", "cache+:end=0"}));
}

TEST(FilterChain, ASuspendedFilterIsCancelledNotEnded) {
  Trace trace;
  const Configs configs = make(trace, {{"cors+", kContinue}, {"cache+", kSuspend}});
  FakeExchange exchange;
  FakeRequest request;
  {
    FilterChain chain(exchange);
    chain.start(configs, request.ctx);
  }
  EXPECT_EQ(trace.cancels, 1);
  EXPECT_EQ(trace.body_events, (std::vector<std::string>{"cors+:end=0"}));
}

TEST(FilterChain, ABackendErrorAnswerPassesOnlyThroughTheFiltersBeforeIt) {
  Trace trace;
  trace.error_answerer = "cache+";
  const Configs configs =
      make(trace, {{"cors+", kContinue}, {"cache+", kContinue}, {"transform+", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  const auto reply = chain.on_backend_error(503);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->body, "stale 503");
  // Asked last first; the first answer wins and earlier filters are not asked.
  EXPECT_EQ(trace.errors_asked, (std::vector<std::string>{"transform+", "cache+"}));
  http::Response response;
  chain.on_response_head(response);
  chain.on_response_end(true);
  EXPECT_EQ(trace.responses, (std::vector<std::string>{"cors+"}));
  EXPECT_EQ(trace.body_events, (std::vector<std::string>{"cors+:end=1"}));
}

TEST(FilterChain, ABackendErrorNobodyAnswersPassesThrough) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}, {"cache+", kContinue}});
  FakeExchange exchange;
  FakeRequest request;
  FilterChain chain(exchange);
  chain.start(configs, request.ctx);
  EXPECT_FALSE(chain.on_backend_error(502).has_value());
  EXPECT_EQ(trace.errors_asked, (std::vector<std::string>{"cache+"}));
  http::Response response;
  chain.on_response_head(response);
  EXPECT_EQ(trace.responses, (std::vector<std::string>{"cache+", "cors"}));
}

}  // namespace
}  // namespace archway::filters

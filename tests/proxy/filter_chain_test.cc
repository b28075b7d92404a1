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
  std::vector<std::string> responses;  // response hooks, in call order
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

 private:
  std::string name_;
  FilterStatus status_;
  Trace& trace_;
  std::unique_ptr<std::string> in_flight_;
};

class FakeConfig final : public FilterConfig {
 public:
  FakeConfig(std::string name, FilterStatus status, Trace& trace)
      : name_(std::move(name)), status_(status), trace_(trace) {}
  FilterPtr create() const override { return FilterPtr(new FakeFilter(name_, status_, trace_)); }
  bool has_response_hook() const override { return true; }

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

}  // namespace
}  // namespace archway::filters

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

namespace archway::filters {
namespace {

// What the fakes saw, shared between the test and the filters it configures.
struct Trace {
  std::vector<std::string> calls;
  std::optional<Resume> pending;  // the suspended filter's handle
  int cancels = 0;
};

class FakeFilter final : public ExchangeFilter {
 public:
  FakeFilter(std::string name, FilterStatus status, Trace& trace)
      : name_(std::move(name)), status_(status), trace_(trace) {}
  FilterStatus on_request(http::Request&, LocalReply& reply, Resume resume) override {
    trace_.calls.push_back(name_);
    if (status_ == FilterStatus::kLocalReply) {
      reply.status = 403;
      reply.body = R"({"error": "forbidden", "status": 403})";
    }
    if (status_ == FilterStatus::kSuspend) {
      in_flight_ = std::make_unique<std::string>("a fetch in flight");
      trace_.pending = std::move(resume);
    }
    return status_;
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
  std::unique_ptr<ExchangeFilter> create() const override {
    return std::make_unique<FakeFilter>(name_, status_, trace_);
  }

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

using Configs = std::vector<std::unique_ptr<const FilterConfig>>;

Configs make(Trace& trace, std::vector<std::pair<std::string, FilterStatus>> spec) {
  Configs configs;
  for (auto& [name, status] : spec) {
    configs.push_back(std::make_unique<FakeConfig>(name, status, trace));
  }
  return configs;
}

constexpr auto kContinue = FilterStatus::kContinue;
constexpr auto kReply = FilterStatus::kLocalReply;
constexpr auto kSuspend = FilterStatus::kSuspend;

TEST(FilterChain, EveryFilterContinuingReachesTheBackend) {
  Trace trace;
  const Configs configs = make(trace, {{"cors", kContinue}, {"auth", kContinue}});
  FakeExchange exchange;
  http::Request request;
  FilterChain chain(configs, exchange);
  chain.start(request);
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"cors", "auth"}));
  EXPECT_EQ(exchange.continued, 1);
  EXPECT_TRUE(exchange.replies.empty());
}

TEST(FilterChain, LocalAnswerStopsTheChain) {
  Trace trace;
  const Configs configs =
      make(trace, {{"cors", kContinue}, {"auth", kReply}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  http::Request request;
  FilterChain chain(configs, exchange);
  chain.start(request);
  EXPECT_EQ(trace.calls, (std::vector<std::string>{"cors", "auth"}));
  EXPECT_EQ(exchange.continued, 0);
  ASSERT_EQ(exchange.replies.size(), 1u);
  EXPECT_EQ(exchange.replies[0].status, 403);
}

TEST(FilterChain, SuspendThenResumeContinuesWithTheNextFilter) {
  Trace trace;
  const Configs configs = make(trace, {{"auth", kSuspend}, {"ratelimit", kContinue}});
  FakeExchange exchange;
  http::Request request;
  FilterChain chain(configs, exchange);
  chain.start(request);
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
  http::Request request;
  FilterChain chain(configs, exchange);
  chain.start(request);
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
  http::Request request;
  auto chain = std::make_unique<FilterChain>(configs, exchange);
  chain->start(request);
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
  http::Request request;
  {
    FilterChain chain(configs, exchange);
    chain.start(request);
  }
  EXPECT_EQ(trace.cancels, 0);
}

}  // namespace
}  // namespace archway::filters

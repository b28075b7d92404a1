// One aggregate exchange: every part's fetch starts in on_request; each
// answer is classified as it comes (posted to the worker's loop by the
// outbound client); the last one composes the reply and resumes the chain.

#include <chrono>
#include <vector>

#include "proxy/filters/aggregate/aggregate.h"
#include "proxy/filters/aggregate/composition.h"
#include "proxy/filters/aggregate/part_request.h"
#include "proxy/http/error_body.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters {
namespace {

using aggregate::PartResult;
using Clock = std::chrono::steady_clock;

class AggregateConfig final : public FilterConfig {
 public:
  explicit AggregateConfig(const config::Aggregate& aggregate) : aggregate_(aggregate) {}
  [[nodiscard]] FilterPtr create() const override;

 private:
  const config::Aggregate& aggregate_;  // in the snapshot the table context pins
};

class AggregateFilter final : public ExchangeFilter {
 public:
  explicit AggregateFilter(const config::Aggregate& aggregate)
      : aggregate_(aggregate), results_(aggregate.parts.size()) {}

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    if (ctx.outbound == nullptr || ctx.backends == nullptr) {
      reply = {503,
               {{"content-type", "application/json"}},
               http::error_body("aggregation unavailable", 503)};
      return FilterStatus::kLocalReply;
    }
    ctx_ = &ctx;
    const http::Headers headers = aggregate::forwarded_headers(ctx.request.headers, aggregate_);
    fetches_.reserve(aggregate_.parts.size());
    for (size_t i = 0; i < aggregate_.parts.size(); ++i) {
      const config::AggregatePart& part = aggregate_.parts[i];
      const auto endpoint = ctx.backends->cluster_http_endpoint(part.cluster);
      if (!endpoint) {
        results_[i] = aggregate::no_endpoint(part.cluster);
        count(i);
        continue;
      }
      outbound::OutboundRequest request;
      request.url =
          "http://" + *endpoint + aggregate::fill_part_path(part.path, ctx.match.captures);
      request.headers = headers;
      request.timeout = part.timeout;
      request.max_response_bytes = part.max_body_bytes;
      ++pending_;
      fetches_.push_back(
          ctx.outbound->fetch(std::move(request), [this, i, started = Clock::now()](auto response) {
            on_part(i, std::move(response), started);
          }));
    }
    if (pending_ == 0) {
      ctx.aggregate_parts_log = aggregate::parts_log(aggregate_, results_);
      reply = aggregate::compose(aggregate_, results_);
      return FilterStatus::kLocalReply;
    }
    resume_ = ctx.suspend();
    return FilterStatus::kSuspend;
  }

  // Destroying the handles guarantees no callback runs on this filter.
  void on_cancel() override { fetches_.clear(); }

 private:
  void on_part(size_t index, Result<outbound::OutboundResponse> response,
               Clock::time_point started) {
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    results_[index] =
        aggregate::classify(std::move(response), elapsed, aggregate_.parts[index].timeout);
    count(index);
    if (--pending_ > 0) return;
    // resume_ may run the rest of the exchange (and destroy this filter)
    // before it returns: nothing of `this` is touched after it.
    ctx_->aggregate_parts_log = aggregate::parts_log(aggregate_, results_);
    Resume resume = std::move(resume_);
    resume(FilterStatus::kLocalReply, aggregate::compose(aggregate_, results_));
  }

  void count(size_t index) {
    const config::AggregatePart& part = aggregate_.parts[index];
    ctx_->count_aggregate_part(&part, part.name, static_cast<int>(results_[index].outcome));
  }

  const config::Aggregate& aggregate_;
  // The exchange's context: it outlives this filter (filter.h), and the
  // fetches' callbacks never run once the filter is gone.
  FilterContext* ctx_ = nullptr;
  std::vector<PartResult> results_;  // in the order of aggregate_.parts
  std::vector<outbound::FetchHandle> fetches_;
  size_t pending_ = 0;
  Resume resume_;
};

FilterPtr AggregateConfig::create() const { return FilterPtr(new AggregateFilter(aggregate_)); }

}  // namespace

std::unique_ptr<const FilterConfig> make_aggregate_filter(const config::Route& route) {
  if (!route.policies.aggregate) return nullptr;
  return std::make_unique<AggregateConfig>(*route.policies.aggregate);
}

}  // namespace archway::filters

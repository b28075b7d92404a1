#include "proxy/filters/rate_limit/rate_limit.h"

#include <algorithm>
#include <chrono>

#include "proxy/config/policies/codec.h"
#include "proxy/filters/rate_limit/client_key.h"
#include "proxy/filters/rate_limit/ratelimit_fields.h"
#include "proxy/http/error_body.h"
#include "proxy/ratelimit/bucket_table.h"

namespace archway::filters {
namespace {

using rate_limit::bucket_key;
using rate_limit::limit_field;
using rate_limit::policy_field;
using rate_limit::retry_after_seconds;

// The quota policy's name in RateLimit-Policy / RateLimit: one policy per
// rule, so the draft's conventional "default".
constexpr std::string_view kPolicyName = "default";

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What the response phase needs of an allowed request's decision, packed in
// the filter's per-exchange word (no allocation): bit 0 set, remaining in
// the high 32 bits, seconds to full in bits 1-31, both saturated.
uintptr_t pack(const ratelimit::Decision& d) {
  const uint64_t remaining = std::min<uint64_t>(d.remaining, UINT32_MAX);
  const uint64_t reset_s = std::min<uint64_t>(
      static_cast<uint64_t>((d.reset_ns + 999'999'999) / 1'000'000'000), (uint64_t{1} << 31) - 1);
  return static_cast<uintptr_t>(remaining << 32 | reset_s << 1 | 1);
}

ratelimit::Decision unpack(uintptr_t word) {
  ratelimit::Decision d;
  d.allowed = true;
  d.remaining = static_cast<uint64_t>(word) >> 32;
  d.reset_ns =
      static_cast<int64_t>((static_cast<uint64_t>(word) & 0xffffffff) >> 1) * 1'000'000'000;
  return d;
}

class RateLimitFilter final : public StatelessFilter {
 public:
  RateLimitFilter(const config::RateLimit& limit, std::shared_ptr<ratelimit::BucketTable> table,
                  uint32_t trusted_hops)
      : limit_(limit),
        table_(std::move(table)),
        trusted_hops_(trusted_hops),
        policy_(policy_field(kPolicyName, table_->limit())) {}

  [[nodiscard]] bool has_response_hook() const override { return true; }

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    const std::string_view key = bucket_key(limit_, ctx.request, ctx.identity(), trusted_hops_);
    const ratelimit::Decision d = table_->take(key, wall_clock_ns());
    if (d.allowed) {
      ctx.state() = pack(d);
      return FilterStatus::kContinue;
    }
    ctx.count(metrics::PolicyCounter::kRateLimited);
    reply.status = 429;
    reply.headers.add("content-type", "application/json");
    reply.headers.add("retry-after", std::to_string(retry_after_seconds(d)));
    reply.headers.add("ratelimit-policy", policy_);
    reply.headers.add("ratelimit", limit_field(kPolicyName, d));
    reply.body = http::error_body("rate limited", 429);
    return FilterStatus::kLocalReply;
  }

  void on_response_head(FilterContext& ctx, http::Response& response) override {
    // Set only when this filter let the request through; its own 429
    // already carries the fields.
    if ((ctx.state() & 1) == 0) return;
    response.headers.add("ratelimit-policy", policy_);
    response.headers.add("ratelimit", limit_field(kPolicyName, unpack(ctx.state())));
  }

 private:
  const config::RateLimit limit_;
  const std::shared_ptr<ratelimit::BucketTable> table_;
  const uint32_t trusted_hops_;
  const std::string policy_;  // the same on every response: formatted once
};

}  // namespace

std::unique_ptr<const FilterConfig> make_rate_limit_filter(const config::RateLimit& limit,
                                                           const std::string& owner,
                                                           SharedPolicyState& shared) {
  const auto numbers = ratelimit::GcraLimit::from(
      limit.requests, std::chrono::duration_cast<std::chrono::nanoseconds>(limit.period),
      limit.burst);
  // The key kind is part of the table's identity: a rule that switches
  // from ClientIP to Header must not inherit buckets keyed by addresses.
  const std::string id = owner + " " + config::to_json(limit).dump();
  return std::make_unique<RateLimitFilter>(limit, shared.limits.table(id, numbers),
                                           shared.trusted_hops);
}

}  // namespace archway::filters

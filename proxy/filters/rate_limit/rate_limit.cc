#include "proxy/filters/rate_limit/rate_limit.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>

#include "proxy/config/policies/codec.h"
#include "proxy/filters/rate_limit/client_key.h"
#include "proxy/filters/rate_limit/ratelimit_fields.h"
#include "proxy/http/error_body.h"
#include "proxy/outbound/http_client.h"
#include "proxy/ratelimit/bucket_table.h"
#include "proxy/ratelimit/global/global_limiter.h"
#include "proxy/ratelimit/redis_script.h"

namespace archway::filters {
namespace {

using rate_limit::bucket_key;
using rate_limit::limit_field;
using rate_limit::policy_field;
using rate_limit::retry_after_seconds;
using Outcome = ratelimit::GlobalAnswer::Outcome;

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
                  std::shared_ptr<const ratelimit::GlobalLimit> global_limit,
                  ratelimit::GlobalLimiter* global, uint32_t trusted_hops)
      : limit_(limit),
        table_(std::move(table)),
        global_limit_(std::move(global_limit)),
        global_(global),
        trusted_hops_(trusted_hops),
        policy_(policy_field(kPolicyName, table_->limit())) {}

  [[nodiscard]] bool has_response_hook() const override {
    return limit_.headers == config::RateLimitHeaders::kAlways;
  }

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    const std::string_view key = bucket_key(limit_, ctx.request, ctx.identity(), trusted_hops_);
    const int64_t now = wall_clock_ns();
    if (limit_.scope == config::RateLimitScope::kLocal) {
      return local(ctx, key, now, reply);
    }
    if (global_ == nullptr) return fallback(ctx, key, now, reply);       // no Redis configured
    if (ctx.outbound == nullptr) return fallback(ctx, key, now, reply);  // no worker loop
    // An answer Redis must give resumes this exchange on its own worker, if
    // the exchange (and with it this filter's snapshot) is still there. The
    // slot is filled below, before this loop can run the posted answer.
    auto slot = std::make_shared<Resume>();
    auto answer = global_->decide(
        global_limit_, key, now,
        [this, io = &ctx.outbound->io(), ctx_ptr = &ctx, key_copy = std::string(key), now,
         slot](ratelimit::GlobalAnswer late) mutable {
          boost::asio::post(*io, [this, ctx_ptr, key_copy = std::move(key_copy), now, slot, late] {
            if (!slot->active()) return;  // the exchange ended while Redis answered
            LocalReply late_reply;
            const FilterStatus status = answered(*ctx_ptr, key_copy, now, late, late_reply);
            (*slot)(status, std::move(late_reply));
          });
        });
    if (answer) return answered(ctx, key, now, *answer, reply);
    *slot = ctx.suspend();
    return FilterStatus::kSuspend;
  }

  void on_response_head(FilterContext& ctx, http::Response& response) override {
    // Set only when this filter let the request through; its own 429
    // already carries the fields.
    if ((ctx.state() & 1) == 0) return;
    response.headers.add("ratelimit-policy", policy_);
    response.headers.add("ratelimit", limit_field(kPolicyName, unpack(ctx.state())));
  }

 private:
  FilterStatus local(FilterContext& ctx, std::string_view key, int64_t now, LocalReply& reply) {
    const ratelimit::Decision d = table_->take(key, now);
    return d.allowed ? allow(ctx, d) : refuse(ctx, d, reply);
  }

  FilterStatus answered(FilterContext& ctx, std::string_view key, int64_t now,
                        const ratelimit::GlobalAnswer& answer, LocalReply& reply) {
    switch (answer.outcome) {
      case Outcome::kAllow: {
        ratelimit::Decision d;
        d.allowed = true;
        d.remaining = std::min<uint64_t>(answer.remaining, table_->limit().capacity);
        d.reset_ns = refill_ns(table_->limit().capacity - d.remaining);
        return allow(ctx, d);
      }
      case Outcome::kDeny: {
        ratelimit::Decision d;
        d.retry_after_ns = answer.retry_after_ns;
        d.reset_ns = refill_ns(table_->limit().capacity);
        return refuse(ctx, d, reply);
      }
      case Outcome::kUnavailable:
        break;
    }
    return fallback(ctx, key, now, reply);
  }

  // How long `tokens` take to come back: a Global answer's time to full.
  [[nodiscard]] int64_t refill_ns(uint64_t tokens) const {
    const ratelimit::GcraLimit& l = table_->limit();
    return static_cast<int64_t>(
        std::min<__int128>(static_cast<__int128>(tokens) * (l.period.count() / l.requests),
                           ratelimit::GcraLimit::kMaxTicks));
  }

  // Redis cannot answer: the rule's documented fallback.
  FilterStatus fallback(FilterContext& ctx, std::string_view key, int64_t now, LocalReply& reply) {
    switch (limit_.fallback) {
      case config::RateLimitFallback::kLocal:
        return local(ctx, key, now, reply);
      case config::RateLimitFallback::kAllow:
        return FilterStatus::kContinue;
      case config::RateLimitFallback::kDeny:
        break;
    }
    ctx.count(metrics::PolicyCounter::kRateLimitUnavailable);
    reply.status = 503;
    reply.headers.add("content-type", "application/json");
    reply.headers.add("retry-after", "1");
    reply.body = http::error_body("rate limit unavailable", 503);
    return FilterStatus::kLocalReply;
  }

  FilterStatus allow(FilterContext& ctx, const ratelimit::Decision& d) {
    ctx.state() = pack(d);
    return FilterStatus::kContinue;
  }

  FilterStatus refuse(FilterContext& ctx, const ratelimit::Decision& d, LocalReply& reply) {
    ctx.count(metrics::PolicyCounter::kRateLimited);
    reply.status = 429;
    reply.headers.add("content-type", "application/json");
    reply.headers.add("retry-after", std::to_string(retry_after_seconds(d)));
    reply.headers.add("ratelimit-policy", policy_);
    reply.headers.add("ratelimit", limit_field(kPolicyName, d));
    reply.body = http::error_body("rate limited", 429);
    return FilterStatus::kLocalReply;
  }

  const config::RateLimit limit_;
  const std::shared_ptr<ratelimit::BucketTable> table_;  // Local, or Global's Local fallback
  const std::shared_ptr<const ratelimit::GlobalLimit> global_limit_;
  ratelimit::GlobalLimiter* const global_;  // null: Local, or no Redis configured
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
  std::shared_ptr<const ratelimit::GlobalLimit> global_limit;
  if (limit.scope == config::RateLimitScope::kGlobal) {
    auto g = std::make_shared<ratelimit::GlobalLimit>();
    g->id = id;
    g->gcra = numbers;
    g->script = ratelimit::script_limit(numbers);
    global_limit = std::move(g);
  }
  return std::make_unique<RateLimitFilter>(limit, shared.limits.table(id, numbers),
                                           std::move(global_limit), shared.global.get(),
                                           shared.trusted_hops);
}

}  // namespace archway::filters

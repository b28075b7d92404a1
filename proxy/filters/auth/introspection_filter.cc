#include "proxy/filters/auth/introspection_filter.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "proxy/filters/auth/bearer.h"
#include "proxy/filters/auth/claim_forwarding.h"
#include "proxy/identity/introspection_check.h"
#include "proxy/identity/introspection_failure.h"
#include "proxy/identity/outbound/introspection_caller.h"
#include "proxy/identity/token_introspector.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters::auth {
namespace {

using identity::IntrospectionDecision;
using identity::IntrospectionFailure;
using metrics::PolicyCounter;

// A request waiting for an answer gives up after this (503): the call's
// own timeout (OutboundIntrospectionCaller::Options, 5 s) plus a margin,
// for a call lost with its worker.
constexpr std::chrono::milliseconds kAnswerWait{6000};

PolicyCounter counter_for(IntrospectionFailure failure) {
  switch (failure) {
    case IntrospectionFailure::kMalformed:
      return PolicyCounter::kAuthMalformed;
    case IntrospectionFailure::kInactive:
      return PolicyCounter::kAuthInactive;
    case IntrospectionFailure::kExpired:
      return PolicyCounter::kAuthExpired;
    case IntrospectionFailure::kNotYetValid:
      return PolicyCounter::kAuthNotYetValid;
    case IntrospectionFailure::kWrongAudience:
      return PolicyCounter::kAuthWrongAudience;
    case IntrospectionFailure::kInsufficientScope:
      return PolicyCounter::kAuthInsufficientScope;
    case IntrospectionFailure::kEndpointUnavailable:
      return PolicyCounter::kAuthIntrospectionUnavailable;
    case IntrospectionFailure::kEndpointError:
      return PolicyCounter::kAuthIntrospectionEndpointError;
  }
  return PolicyCounter::kAuthIntrospectionEndpointError;
}

// The shared introspector's policy: scopes and audiences stay out of it
// (checked here on the shared answer), so routes that differ only by those
// share calls.
identity::IntrospectionPolicy core_policy(const config::OAuth2Introspection& config) {
  identity::IntrospectionPolicy policy;
  policy.endpoint = config.endpoint;
  policy.client_id = config.client_id;
  policy.client_secret = config.client_secret;
  policy.cache_ttl = config.cache_ttl;
  policy.stale_grace = config.stale_grace_period;
  return policy;
}

class IntrospectionConfig final : public FilterConfig {
 public:
  IntrospectionConfig(const config::OAuth2Introspection& config, SharedPolicyState& shared)
      : introspector_(shared.introspectors.get(core_policy(config))),
        token_source_(config.token_source),
        audiences_(config.audiences),
        forwarding_(config.forward_claims),
        required_scopes_(config.required_scopes),
        required_scope_text_(scope_text(config.required_scopes)) {}

  [[nodiscard]] FilterPtr create() const override;

  [[nodiscard]] identity::TokenIntrospector& introspector() const { return *introspector_; }
  [[nodiscard]] const config::TokenSource& token_source() const { return token_source_; }
  [[nodiscard]] const ClaimForwarding& forwarding() const { return forwarding_; }

  // Whatever the verdict, a token taken from a header other than
  // Authorization, a cookie or the query reaches neither the backend nor the
  // access log's target (as for JWT routes).
  void remove_token(FilterContext& ctx) const {
    if (token_source_.kind == config::TokenSource::Kind::kAuthorization) return;
    auth::remove_token(token_source_, ctx.request);
    const size_t q = ctx.request.target.find('?');
    ctx.query = q == std::string::npos ? std::string_view{}
                                       : std::string_view(ctx.request.target).substr(q + 1);
  }

  // The answer for one request: kContinue, or kLocalReply with `reply` set.
  FilterStatus judge(FilterContext& ctx, const IntrospectionDecision& decision,
                     LocalReply& reply) const {
    if (!decision.ok()) return fail(ctx, decision.error(), reply);
    const identity::TokenIntrospection& token = *decision.value();
    // The same order as check_introspection: audience, then scopes.
    if (!identity::names_an_audience(token, audiences_)) {
      return fail(ctx, IntrospectionFailure::kWrongAudience, reply);
    }
    for (const std::string& scope : required_scopes_) {
      if (!token.has_scope(scope))
        return fail(ctx, IntrospectionFailure::kInsufficientScope, reply);
    }
    if (decision.value().stale) ctx.count(PolicyCounter::kAuthIntrospectionStale);
    // Per request, not cached: the answer is shared by routes that forward
    // different claims, and a hit on a route without forwardClaims pays
    // nothing.
    if (!forwarding_.empty()) {
      forwarding_.forward(forwarding_.values_from(token.claims), ctx.request.headers);
    }
    // The identity rate limits (key: User) and the access log read: the
    // token's subject, else the names RFC 7662 §2.2 offers for it.
    if (token.subject) {
      ctx.set_identity(*token.subject);
    } else if (token.username) {
      ctx.set_identity(*token.username);
    } else if (token.client_id) {
      ctx.set_identity(*token.client_id);
    }
    return FilterStatus::kContinue;
  }

  FilterStatus fail(FilterContext& ctx, IntrospectionFailure failure, LocalReply& reply) const {
    ctx.count(counter_for(failure));
    if (identity::is_endpoint_failure(failure)) {
      reply = keys_unavailable_reply();  // 503, no challenge: the token was not judged
    } else if (failure == IntrospectionFailure::kInsufficientScope) {
      reply = insufficient_scope_reply(required_scope_text_);
    } else {
      reply = invalid_token_reply();
    }
    return FilterStatus::kLocalReply;
  }

 private:
  // Shared with every route, worker and snapshot introspecting at the same
  // endpoint as the same client; a call in flight keeps it alive.
  std::shared_ptr<identity::TokenIntrospector> introspector_;
  config::TokenSource token_source_;
  std::vector<std::string> audiences_;  // empty: not checked
  ClaimForwarding forwarding_;
  std::vector<std::string> required_scopes_;
  std::string required_scope_text_;
};

// One exchange's run. Holds state only while it waits for the endpoint.
class IntrospectionExchange final : public ExchangeFilter {
 public:
  explicit IntrospectionExchange(const IntrospectionConfig& config) : config_(config) {}

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    config_.forwarding().strip_incoming(ctx.request.headers);
    const BearerCredentials credentials = find_token(config_.token_source(), ctx.request);
    const FilterStatus status = decide(ctx, credentials, reply);
    // Only now: the credentials point into what this removes (a call in
    // flight holds its own copy of the token).
    config_.remove_token(ctx);
    return status;
  }

  FilterStatus decide(FilterContext& ctx, const BearerCredentials& credentials, LocalReply& reply) {
    if (credentials.kind == BearerCredentials::Kind::kNone) {
      ctx.count(PolicyCounter::kAuthMissingToken);
      reply = missing_token_reply();
      return FilterStatus::kLocalReply;
    }
    if (credentials.kind == BearerCredentials::Kind::kMalformed) {
      return config_.fail(ctx, IntrospectionFailure::kMalformed, reply);
    }
    if (ctx.introspection == nullptr || ctx.outbound == nullptr) {
      // No worker to call from (a chain run without one): nothing can be
      // asked, so nothing is let through.
      return config_.fail(ctx, IntrospectionFailure::kEndpointUnavailable, reply);
    }
    boost::asio::io_context& io = ctx.outbound->io();
    alive_ = std::make_shared<IntrospectionExchange*>(this);
    // Runs on the thread that completed the call (any worker's): hop to
    // this one. expired() takes no ownership, so this thread never holds
    // the filter alive; the hop checks again on the owning worker.
    identity::TokenIntrospector::Done done =
        [&io, weak = std::weak_ptr<IntrospectionExchange*>(alive_)](IntrospectionDecision d) {
          if (weak.expired()) return;  // the request is gone (its worker may be too)
          boost::asio::post(io, [weak, d = std::move(d)]() mutable {
            if (auto self = weak.lock()) (*self)->answered(std::move(d));
          });
        };
    auto now = config_.introspector().introspect(
        credentials.token, ctx.introspection->endpoint_call(), std::move(done));
    if (now) {
      alive_.reset();
      return config_.judge(ctx, *now, reply);
    }
    ctx_ = &ctx;
    resume_ = ctx.suspend();
    timer_.emplace(io);
    timer_->expires_after(kAnswerWait);
    timer_->async_wait(
        [weak = std::weak_ptr<IntrospectionExchange*>(alive_)](boost::system::error_code ec) {
          if (ec) return;
          if (auto self = weak.lock())
            (*self)->answered(IntrospectionFailure::kEndpointUnavailable);
        });
    return FilterStatus::kSuspend;
  }

  void on_cancel() override { stop_waiting(); }

 private:
  // Whichever of the answer and the timer comes first.
  void answered(IntrospectionDecision decision) {
    stop_waiting();
    LocalReply reply;
    const FilterStatus status = config_.judge(*ctx_, decision, reply);
    // Resuming may end the exchange and destroy this filter: nothing after.
    Resume resume = std::move(resume_);
    resume(status, std::move(reply));
  }

  void stop_waiting() {
    alive_.reset();
    if (timer_) timer_->cancel();
  }

  const IntrospectionConfig& config_;
  std::shared_ptr<IntrospectionExchange*> alive_;  // set while waiting
  FilterContext* ctx_ = nullptr;
  Resume resume_;
  std::optional<boost::asio::steady_timer> timer_;
};

FilterPtr IntrospectionConfig::create() const {
  return FilterPtr(new IntrospectionExchange(*this));
}

}  // namespace

std::unique_ptr<const FilterConfig> make_introspection_filter(
    const config::OAuth2Introspection& config, SharedPolicyState& shared) {
  return std::make_unique<IntrospectionConfig>(config, shared);
}

}  // namespace archway::filters::auth

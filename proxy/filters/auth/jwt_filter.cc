#include "proxy/filters/auth/jwt_filter.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "proxy/config/policies/codec.h"
#include "proxy/filters/auth/bearer.h"
#include "proxy/filters/auth/jwks_fetcher.h"
#include "proxy/identity/jwt_verifier.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters::auth {
namespace {

using identity::JwtFailure;
using identity::TokenDigest;
using identity::TokenVerdict;

// A verified token is trusted again without a signature check for at most
// this long (and never past its exp): a key removed from the JWKS stops
// vouching for the tokens it signed within this bound.
constexpr std::chrono::seconds kMaxVerdictAge{300};
// A request waiting for keys gives up after this (503): the fetch's own
// timeout (jwks_fetcher.cc) plus a margin, for a fetch lost with its worker.
constexpr std::chrono::milliseconds kKeyWait{6000};

metrics::PolicyCounter counter_for(JwtFailure failure) {
  return static_cast<metrics::PolicyCounter>(
      static_cast<int>(metrics::PolicyCounter::kAuthMalformed) + static_cast<int>(failure));
}

std::chrono::sys_seconds wall_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// A digest of the policy's canonical form: the verified-token cache's
// notion of "the same policy".
std::string policy_identity(const config::JwtAuth& jwt) {
  config::Auth auth;
  auth.jwt = jwt;
  return identity::sha256_bytes(config::to_json(auth).dump());
}

enum class Decision { kContinue, kLocalReply, kNeedFirstKeys, kNeedNewKeys };

class JwtConfig final : public FilterConfig {
 public:
  JwtConfig(const config::JwtAuth& config, SharedPolicyState& shared)
      : required_scopes_(config.required_scopes),
        required_scope_text_(join(config.required_scopes)),
        forward_claims_(config.forward_claims),
        tokens_(shared.tokens),
        policy_id_(policy_identity(config)) {
    policy_.issuer = config.issuer;
    policy_.audiences = config.audiences;
    // Scopes are checked here, not by verify_jwt, so that a valid token
    // without them is cached as such (403 on a hit, no signature check).
    policy_.clock_skew = std::chrono::duration_cast<std::chrono::seconds>(config.clock_skew);
    skew_ = policy_.clock_skew;
    for (const config::ForwardClaim& claim : config.forward_claims) {
      forward_headers_.push_back(claim.header);
    }
    if (config.jwks) {
      // Parsed once, here. A set the core refuses leaves no keys: the route
      // answers 503 rather than serving unauthenticated.
      auto parsed = identity::JwkSet::parse(*config.jwks, identity::KeySource::kPublicJwks);
      if (parsed.ok()) {
        inline_keys_ = std::make_shared<const identity::JwkSet>(std::move(parsed).value());
      }
    } else if (config.jwks_uri) {
      source_ = shared.jwks.source(*config.jwks_uri);
    }
  }

  [[nodiscard]] FilterPtr create() const override;

  [[nodiscard]] const std::vector<std::string>& forward_headers() const { return forward_headers_; }
  [[nodiscard]] const std::shared_ptr<identity::JwksSource>& source() const { return source_; }
  [[nodiscard]] TokenDigest digest(std::string_view token) const {
    return identity::token_digest(policy_id_, token);
  }

  // A cached verdict, if any (a hash lookup, no signature check).
  [[nodiscard]] std::shared_ptr<const TokenVerdict> cached(const TokenDigest& digest) const {
    return tokens_->find(digest, wall_now());
  }

  // Verifies `token` with the keys at hand. kNeed*: no decision until new
  // keys come (only when `may_fetch`).
  Decision verify(FilterContext& ctx, std::string_view token, const TokenDigest& digest,
                  bool may_fetch, LocalReply& reply) const {
    std::shared_ptr<const identity::JwkSet> keys = source_ ? source_->keys() : inline_keys_;
    // A set without one usable key verifies nothing: the issuer's or the
    // operator's fault, not the client's (503, as no set at all).
    if (!keys || keys->keys().empty()) {
      if (!keys && source_ && may_fetch) return Decision::kNeedFirstKeys;
      ctx.count(metrics::PolicyCounter::kAuthKeysUnavailable);
      reply = keys_unavailable_reply();
      return Decision::kLocalReply;
    }
    if (source_ && ctx.outbound != nullptr) {
      source_->refresh_if_stale(identity::JwksClock::now(), jwks_fetcher(*ctx.outbound));
    }
    const auto now = wall_now();
    auto verified = identity::verify_jwt(token, *keys, policy_, now);
    if (!verified) {
      if (verified.failure() == JwtFailure::kUnknownKey && source_ && may_fetch) {
        return Decision::kNeedNewKeys;
      }
      return fail(ctx, verified.failure(), reply);
    }
    auto verdict = std::make_shared<TokenVerdict>();
    verdict->scopes_ok =
        std::all_of(required_scopes_.begin(), required_scopes_.end(),
                    [&](const std::string& scope) { return verified->has_scope(scope); });
    for (const config::ForwardClaim& claim : forward_claims_) {
      verdict->forwarded.push_back(verified->claim_as_header_value(claim.claim));
    }
    verdict->subject = verified->claim_as_header_value("sub").value_or("");
    const auto valid_until = std::min(verified->expires_at + skew_, now + kMaxVerdictAge);
    tokens_->insert(digest, verdict, valid_until, now);
    return apply(ctx, *verdict, reply);
  }

  // A verified token's verdict: 403, or its claims forwarded.
  Decision apply(FilterContext& ctx, const TokenVerdict& verdict, LocalReply& reply) const {
    if (!verdict.scopes_ok) {
      ctx.count(metrics::PolicyCounter::kAuthInsufficientScope);
      reply = insufficient_scope_reply(required_scope_text_);
      return Decision::kLocalReply;
    }
    for (size_t i = 0; i < forward_claims_.size() && i < verdict.forwarded.size(); ++i) {
      if (verdict.forwarded[i]) {
        ctx.request.headers.add(forward_claims_[i].header, *verdict.forwarded[i]);
      }
    }
    ctx.set_identity(verdict.subject);
    return Decision::kContinue;
  }

  Decision fail(FilterContext& ctx, JwtFailure failure, LocalReply& reply) const {
    ctx.count(counter_for(failure));
    reply = failure == JwtFailure::kInsufficientScope
                ? insufficient_scope_reply(required_scope_text_)
                : invalid_token_reply();
    return Decision::kLocalReply;
  }

 private:
  identity::JwtPolicy policy_;
  std::chrono::seconds skew_{0};
  std::vector<std::string> required_scopes_;
  std::string required_scope_text_;
  std::vector<config::ForwardClaim> forward_claims_;
  std::vector<std::string> forward_headers_;
  std::shared_ptr<const identity::JwkSet> inline_keys_;
  std::shared_ptr<identity::JwksSource> source_;
  std::shared_ptr<identity::VerifiedTokenCache> tokens_;
  std::string policy_id_;  // SHA-256 of the policy's canonical JSON
};

FilterStatus status_of(Decision decision) {
  return decision == Decision::kContinue ? FilterStatus::kContinue : FilterStatus::kLocalReply;
}

// One exchange's run. Holds state only while it waits for keys.
class JwtExchange final : public ExchangeFilter {
 public:
  explicit JwtExchange(const JwtConfig& config) : config_(config) {}

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    // Before anything can refuse the request: a forged copy of a forwarded
    // claim never reaches the backend, whatever happens next.
    strip_fields(ctx.request.headers, config_.forward_headers());
    const BearerCredentials credentials = find_bearer(ctx.request.headers);
    if (credentials.kind == BearerCredentials::Kind::kNone) {
      ctx.count(metrics::PolicyCounter::kAuthMissingToken);
      reply = missing_token_reply();
      return FilterStatus::kLocalReply;
    }
    if (credentials.kind == BearerCredentials::Kind::kMalformed) {
      return status_of(config_.fail(ctx, JwtFailure::kMalformed, reply));
    }
    const TokenDigest digest = config_.digest(credentials.token);
    if (auto verdict = config_.cached(digest))
      return status_of(config_.apply(ctx, *verdict, reply));
    const Decision decision =
        config_.verify(ctx, credentials.token, digest, ctx.outbound != nullptr, reply);
    if (decision == Decision::kContinue || decision == Decision::kLocalReply) {
      return status_of(decision);
    }
    return wait_for_keys(ctx, decision, credentials.token, digest, reply);
  }

  void on_cancel() override { stop_waiting(); }

 private:
  FilterStatus wait_for_keys(FilterContext& ctx, Decision need, std::string_view token,
                             const TokenDigest& digest, LocalReply& reply) {
    boost::asio::io_context& io = ctx.outbound->io();
    alive_ = std::make_shared<JwtExchange*>(this);
    // Called on the thread that completed the fetch: hop to this worker.
    identity::JwksWaiter waiter = [&io, weak = std::weak_ptr<JwtExchange*>(alive_)] {
      boost::asio::post(io, [weak] {
        if (auto self = weak.lock()) (*self)->keys_arrived();
      });
    };
    const auto why = need == Decision::kNeedFirstKeys ? identity::JwksSource::Need::kFirstKeys
                                                      : identity::JwksSource::Need::kUnknownKid;
    if (!config_.source()->request(why, identity::JwksClock::now(), jwks_fetcher(*ctx.outbound),
                                   std::move(waiter))) {
      // No fetch now (cool-down, recent failure): decide with what there is.
      alive_.reset();
      return status_of(config_.verify(ctx, token, digest, /*may_fetch=*/false, reply));
    }
    ctx_ = &ctx;
    token_.assign(token);
    digest_ = digest;
    resume_ = ctx.suspend();
    timer_.emplace(io);
    timer_->expires_after(kKeyWait);
    timer_->async_wait([weak = std::weak_ptr<JwtExchange*>(alive_)](boost::system::error_code ec) {
      if (ec) return;
      if (auto self = weak.lock()) (*self)->give_up();
    });
    return FilterStatus::kSuspend;
  }

  void keys_arrived() {
    stop_waiting();
    LocalReply reply;
    const Decision decision = config_.verify(*ctx_, token_, digest_, /*may_fetch=*/false, reply);
    finish(status_of(decision), std::move(reply));
  }

  void give_up() {
    stop_waiting();
    ctx_->count(metrics::PolicyCounter::kAuthKeysUnavailable);
    finish(FilterStatus::kLocalReply, keys_unavailable_reply());
  }

  void stop_waiting() {
    alive_.reset();  // whichever of keys, timer or cancel comes first wins
    if (timer_) timer_->cancel();
  }

  // Resuming may end the exchange and destroy this filter: nothing after.
  void finish(FilterStatus status, LocalReply reply) {
    Resume resume = std::move(resume_);
    resume(status, std::move(reply));
  }

  const JwtConfig& config_;
  std::shared_ptr<JwtExchange*> alive_;  // set while waiting; its weak_ptrs find this filter
  FilterContext* ctx_ = nullptr;
  std::string token_;
  TokenDigest digest_{};
  Resume resume_;
  std::optional<boost::asio::steady_timer> timer_;
};

FilterPtr JwtConfig::create() const { return FilterPtr(new JwtExchange(*this)); }

}  // namespace

std::unique_ptr<const FilterConfig> make_jwt_filter(const config::JwtAuth& config,
                                                    SharedPolicyState& shared) {
  return std::make_unique<JwtConfig>(config, shared);
}

}  // namespace archway::filters::auth

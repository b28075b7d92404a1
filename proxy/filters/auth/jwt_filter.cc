#include "proxy/filters/auth/jwt_filter.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/config/policies/codec.h"
#include "proxy/filters/auth/bearer.h"
#include "proxy/filters/auth/claim_forwarding.h"
#include "proxy/filters/auth/jwks_fetcher.h"
#include "proxy/identity/jwt_verifier.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters::auth {
namespace {

using identity::JwtFailure;
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

// A digest of the policy's canonical form: the verified-token cache's
// notion of "the same policy".
std::string policy_identity(const config::JwtAuth& jwt) {
  config::Auth auth;
  auth.jwt = jwt;
  return identity::sha256_bytes(config::to_json(auth).dump());
}

enum class Decision { kContinue, kLocalReply, kNeedFirstKeys, kNeedNewKeys };

FilterStatus status_of(Decision decision) {
  return decision == Decision::kContinue ? FilterStatus::kContinue : FilterStatus::kLocalReply;
}

// One object for every exchange on every worker (a StatelessFilter): a
// request whose verdict is cached, or whose token is checked at once,
// allocates nothing here. Only a request that must wait for keys gets
// state of its own (KeyWait).
class JwtFilter final : public StatelessFilter {
 public:
  JwtFilter(const config::JwtAuth& config, SharedPolicyState& shared)
      : required_scopes_(config.required_scopes),
        required_scope_text_(scope_text(config.required_scopes)),
        forwarding_(config.forward_claims),
        token_source_(config.token_source),
        tokens_(shared.tokens),
        cached_as_(shared.tokens->policy(policy_identity(config))) {
    policy_.issuer = config.issuer;
    policy_.audiences = config.audiences;
    // Scopes are checked here, not by verify_jwt, so that a valid token
    // without them is cached as such (403 on a hit, no signature check).
    policy_.clock_skew = std::chrono::duration_cast<std::chrono::seconds>(config.clock_skew);
    skew_ = policy_.clock_skew;
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

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override;

  [[nodiscard]] const std::shared_ptr<identity::JwksSource>& source() const { return source_; }

  // Verifies `token` with the keys at hand. kNeed*: no decision until new
  // keys come (only when `may_fetch`).
  Decision verify(FilterContext& ctx, std::string_view token, bool may_fetch,
                  LocalReply& reply) const {
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
    // What a later hit needs, computed now: the scope verdict and the
    // forwarded header values, so a hit only copies strings.
    auto verdict = std::make_shared<TokenVerdict>();
    verdict->scopes_ok =
        std::all_of(required_scopes_.begin(), required_scopes_.end(),
                    [&](const std::string& scope) { return verified->has_scope(scope); });
    verdict->forwarded = forwarding_.values_from(verified->claims);
    verdict->subject = verified->claim_as_header_value("sub").value_or("");
    const auto valid_until = std::min(verified->expires_at + skew_, now + kMaxVerdictAge);
    tokens_->insert(cached_as_, token, verdict, valid_until, now);
    return apply(ctx, *verdict, reply);
  }

  // A verified token's verdict: 403, or its claims forwarded.
  Decision apply(FilterContext& ctx, const TokenVerdict& verdict, LocalReply& reply) const {
    if (!verdict.scopes_ok) {
      ctx.count(metrics::PolicyCounter::kAuthInsufficientScope);
      reply = insufficient_scope_reply(required_scope_text_);
      return Decision::kLocalReply;
    }
    forwarding_.forward(verdict.forwarded, ctx.request.headers);
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
  FilterStatus decide(FilterContext& ctx, const BearerCredentials& credentials,
                      LocalReply& reply) const;

  identity::JwtPolicy policy_;
  std::chrono::seconds skew_{0};
  std::vector<std::string> required_scopes_;
  std::string required_scope_text_;
  ClaimForwarding forwarding_;
  config::TokenSource token_source_;
  std::shared_ptr<const identity::JwkSet> inline_keys_;
  std::shared_ptr<identity::JwksSource> source_;
  std::shared_ptr<identity::VerifiedTokenCache> tokens_;
  // This policy in the cache: its identity (SHA-256 of the policy's
  // canonical JSON) and the hash key derived from it.
  identity::VerifiedTokenCache::Policy cached_as_;
};

// A request suspended until keys come (the first fetch, or a refetch for an
// unknown kid), or until kKeyWait passes. It owns itself, through its
// timer's handler: the filter is shared, so on_cancel cannot tell which wait
// is an ending exchange's. Instead the wait touches the exchange and the
// filter only while its Resume is live (the chain is alive and suspended,
// so the exchange and the table it pinned are too); an exchange that ended
// first leaves the wait to lapse at the keys or the timer, whichever comes.
class KeyWait final : public std::enable_shared_from_this<KeyWait> {
 public:
  KeyWait(const JwtFilter& filter, FilterContext& ctx, std::string_view token)
      : filter_(filter), ctx_(ctx), token_(token), timer_(ctx.outbound->io()) {}

  // kSuspend, or the decision with the keys at hand when no fetch starts.
  static FilterStatus start(const JwtFilter& filter, FilterContext& ctx, Decision need,
                            std::string_view token, LocalReply& reply) {
    auto wait = std::make_shared<KeyWait>(filter, ctx, token);
    boost::asio::io_context& io = ctx.outbound->io();
    // Called on the thread that completed the fetch: hop to this worker.
    identity::JwksWaiter waiter = [&io, weak = std::weak_ptr<KeyWait>(wait)] {
      boost::asio::post(io, [weak] {
        if (auto self = weak.lock()) self->keys_arrived();
      });
    };
    const auto why = need == Decision::kNeedFirstKeys ? identity::JwksSource::Need::kFirstKeys
                                                      : identity::JwksSource::Need::kUnknownKid;
    if (!filter.source()->request(why, identity::JwksClock::now(), jwks_fetcher(*ctx.outbound),
                                  std::move(waiter))) {
      // No fetch now (cool-down, recent failure): decide with what there is.
      return status_of(filter.verify(ctx, token, /*may_fetch=*/false, reply));
    }
    wait->resume_ = ctx.suspend();
    wait->timer_.expires_after(kKeyWait);
    wait->timer_.async_wait([self = wait](boost::system::error_code ec) {
      if (!ec) self->give_up();
    });
    return FilterStatus::kSuspend;
  }

 private:
  void keys_arrived() {
    if (done_) return;
    done_ = true;
    timer_.cancel();  // its handler lets go of this wait
    if (!resume_.active()) return;
    LocalReply reply;
    const Decision decision = filter_.verify(ctx_, token_, /*may_fetch=*/false, reply);
    finish(status_of(decision), std::move(reply));
  }

  void give_up() {
    if (done_) return;
    done_ = true;
    if (!resume_.active()) return;
    ctx_.count(metrics::PolicyCounter::kAuthKeysUnavailable);
    finish(FilterStatus::kLocalReply, keys_unavailable_reply());
  }

  // Resuming may end the exchange: nothing of it is touched after.
  void finish(FilterStatus status, LocalReply reply) {
    Resume resume = std::move(resume_);
    resume(status, std::move(reply));
  }

  const JwtFilter& filter_;
  FilterContext& ctx_;
  const std::string token_;  // the request's own copy may be removed (tokenSource)
  Resume resume_;
  boost::asio::steady_timer timer_;
  bool done_ = false;
};

FilterStatus JwtFilter::on_request(FilterContext& ctx, LocalReply& reply) {
  forwarding_.strip_incoming(ctx.request.headers);
  // Unchecked: a cache hit is the very bytes verified before, so only a
  // miss pays for the token68 scan (in verify).
  const BearerCredentials credentials = find_token(token_source_, ctx.request, TokenCheck::kOnMiss);
  const FilterStatus status = decide(ctx, credentials, reply);
  // Only now: the credentials point into what this removes (a waiting
  // request holds its own copy). Whatever the outcome, the token reaches
  // neither the backend nor the access log's target.
  if (token_source_.kind != config::TokenSource::Kind::kAuthorization) {
    remove_token(token_source_, ctx.request);
    const size_t q = ctx.request.target.find('?');
    ctx.query = q == std::string::npos ? std::string_view{}
                                       : std::string_view(ctx.request.target).substr(q + 1);
  }
  return status;
}

FilterStatus JwtFilter::decide(FilterContext& ctx, const BearerCredentials& credentials,
                               LocalReply& reply) const {
  if (credentials.kind == BearerCredentials::Kind::kNone) {
    ctx.count(metrics::PolicyCounter::kAuthMissingToken);
    reply = missing_token_reply();
    return FilterStatus::kLocalReply;
  }
  if (credentials.kind == BearerCredentials::Kind::kMalformed) {
    return status_of(fail(ctx, JwtFailure::kMalformed, reply));
  }
  if (auto verdict = tokens_->find(cached_as_, credentials.token, wall_now())) {
    return status_of(apply(ctx, *verdict, reply));
  }
  // The check find_token skipped: a miss must be a token68 like any other.
  if (!is_token68(credentials.token)) return status_of(fail(ctx, JwtFailure::kMalformed, reply));
  const Decision decision = verify(ctx, credentials.token, ctx.outbound != nullptr, reply);
  if (decision == Decision::kContinue || decision == Decision::kLocalReply) {
    return status_of(decision);
  }
  return KeyWait::start(*this, ctx, decision, credentials.token, reply);
}

}  // namespace

std::unique_ptr<const FilterConfig> make_jwt_filter(const config::JwtAuth& config,
                                                    SharedPolicyState& shared) {
  return std::make_unique<JwtFilter>(config, shared);
}

}  // namespace archway::filters::auth

#include "proxy/identity/token_introspector.h"

#include <algorithm>

#include "proxy/identity/introspection_check.h"

namespace archway::identity {

std::shared_ptr<TokenIntrospector> TokenIntrospector::create(IntrospectionPolicy policy,
                                                             Clock clock, Limits limits) {
  return std::shared_ptr<TokenIntrospector>(
      new TokenIntrospector(std::move(policy), std::move(clock), limits));
}

TokenIntrospector::TokenIntrospector(IntrospectionPolicy policy, Clock clock, Limits limits)
    : policy_(std::move(policy)), clock_(std::move(clock)) {
  const size_t shards = std::max<size_t>(limits.shards, 1);
  // Rounded up, so that max_entries under the shard count still caches.
  const size_t per_shard = (limits.max_entries + shards - 1) / shards;
  shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(per_shard));
}

TokenIntrospector::Shard& TokenIntrospector::shard_for(const Sha256Digest& key) {
  // The hash's low bytes pick the bucket inside a shard; a high byte picks
  // the shard, so the two do not correlate.
  return *shards_[key[31] % shards_.size()];
}

std::optional<IntrospectionDecision> TokenIntrospector::introspect(std::string_view token,
                                                                   const EndpointCall& call,
                                                                   Done done) {
  if (!is_bearer_token_syntax(token, policy_.max_token_bytes)) {
    return IntrospectionFailure::kMalformed;
  }
  const Sha256Digest key = hasher_.digest(token);
  Shard& shard = shard_for(key);
  const auto now = clock_();
  {
    std::lock_guard lock(shard.mutex);
    if (auto hit = shard.cache.find_fresh(key, now)) {
      cache_hits_.fetch_add(1, std::memory_order_relaxed);
      return decide(*hit->answer, hit->answer, now);
    }
    auto [waiters, first] = shard.in_flight.try_emplace(key);
    waiters->second.push_back(std::move(done));
    if (!first) {
      coalesced_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
  }
  // This lookup asks; the lock is not held, since `call` may complete at once.
  endpoint_calls_.fetch_add(1, std::memory_order_relaxed);
  call(policy_.endpoint,
       build_introspection_request(token, policy_.client_id, policy_.client_secret),
       [self = shared_from_this(), key](std::optional<EndpointResponse> response) {
         self->on_endpoint_answer(key, std::move(response));
       });
  return std::nullopt;
}

void TokenIntrospector::on_endpoint_answer(const Sha256Digest& key,
                                           std::optional<EndpointResponse> response) {
  IntrospectionResult parsed =
      response ? parse_introspection_response(response->status, response->body)
               : IntrospectionResult(IntrospectionFailure::kEndpointUnavailable);
  const auto answer = std::make_shared<const IntrospectionResult>(std::move(parsed));
  const bool endpoint_failed = !answer->ok() && is_endpoint_failure(answer->error());
  const auto now = clock_();

  Shard& shard = shard_for(key);
  std::vector<Done> waiters;
  std::optional<IntrospectionDecision> decision;
  {
    std::lock_guard lock(shard.mutex);
    if (endpoint_failed) {
      // Fail closed, unless an active answer is still within its grace.
      if (auto stale = shard.cache.find_usable(key, now); stale && stale->answer->ok()) {
        decision = decide(*stale->answer, stale->answer, now);
        if (decision->ok()) decision->value().stale = true;
        stale_served_.fetch_add(1, std::memory_order_relaxed);
      }
    } else if (auto entry = cache_entry(answer, now)) {
      shard.cache.put(key, std::move(*entry), now);
    }
    const auto found = shard.in_flight.find(key);
    if (found != shard.in_flight.end()) {
      waiters = std::move(found->second);
      shard.in_flight.erase(found);
    }
  }
  if (!decision) decision = decide(*answer, answer, now);
  // Outside the lock: a waiter's callback may post, log, or look up again.
  for (Done& waiter : waiters) {
    if (waiter) waiter(*decision);
  }
}

std::optional<CachedIntrospection> TokenIntrospector::cache_entry(
    SharedIntrospection answer, IntrospectionClock::time_point now) const {
  auto lifetime = std::chrono::duration_cast<IntrospectionClock::duration>(policy_.cache_ttl);
  auto grace = std::chrono::duration_cast<IntrospectionClock::duration>(policy_.stale_grace);
  std::optional<IntrospectionClock::time_point> expires_at;
  if (answer->ok()) {
    if (const auto& exp = answer->value().expires_at) expires_at = *exp;
  } else {
    lifetime = std::min(lifetime, std::chrono::duration_cast<IntrospectionClock::duration>(
                                      policy_.negative_cache_ttl));
    grace = IntrospectionClock::duration::zero();  // only active answers stand in
  }
  auto fresh_until = now + lifetime;
  auto stale_until = fresh_until + grace;
  if (expires_at) {
    fresh_until = std::min(fresh_until, *expires_at);
    stale_until = std::min(stale_until, *expires_at);
  }
  if (stale_until <= now) return std::nullopt;
  return CachedIntrospection{std::move(answer), fresh_until, stale_until};
}

IntrospectionDecision TokenIntrospector::decide(const IntrospectionResult& answer,
                                                const SharedIntrospection& owner,
                                                IntrospectionClock::time_point now) const {
  if (!answer.ok()) return answer.error();
  if (auto checked = check_introspection(answer.value(), policy_, now); !checked.ok()) {
    return checked.error();
  }
  // Shares the cached answer's ownership: no copy of the claims per request.
  return IntrospectedToken{std::shared_ptr<const TokenIntrospection>(owner, &answer.value())};
}

IntrospectorStats TokenIntrospector::stats() const {
  return IntrospectorStats{
      endpoint_calls_.load(std::memory_order_relaxed), cache_hits_.load(std::memory_order_relaxed),
      coalesced_.load(std::memory_order_relaxed), stale_served_.load(std::memory_order_relaxed)};
}

size_t TokenIntrospector::cached_entries() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->cache.size();
  }
  return total;
}

}  // namespace archway::identity

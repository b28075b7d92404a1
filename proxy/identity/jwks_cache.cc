#include "proxy/identity/jwks_cache.h"

#include <algorithm>

namespace archway::identity {

std::shared_ptr<const JwkSet> JwksSource::keys() const {
  std::lock_guard lock(mu_);
  return keys_;
}

uint64_t JwksSource::fetches_started() const {
  std::lock_guard lock(mu_);
  return fetches_started_;
}

bool JwksSource::begin_fetch_locked(JwksClock::time_point now) {
  if (in_flight_since_ && now - *in_flight_since_ < timing_.lost_fetch) return false;
  in_flight_since_ = now;
  ++fetches_started_;
  return true;
}

bool JwksSource::request(Need need, JwksClock::time_point now, const JwksFetcher& fetch,
                         JwksWaiter waiter) {
  {
    std::lock_guard lock(mu_);
    const bool in_flight = in_flight_since_ && now - *in_flight_since_ < timing_.lost_fetch;
    if (in_flight) {
      waiters_.push_back(std::move(waiter));
      return true;
    }
    if (need == Need::kFirstKeys && keys_) return false;  // arrived meanwhile: use them
    if (need == Need::kFirstKeys && last_failure_ &&
        now - *last_failure_ < timing_.retry_after_failure) {
      return false;
    }
    if (need == Need::kUnknownKid && last_unknown_kid_fetch_ &&
        now - *last_unknown_kid_fetch_ < timing_.unknown_kid_cooldown) {
      return false;
    }
    if (need == Need::kUnknownKid) last_unknown_kid_fetch_ = now;
    if (!begin_fetch_locked(now)) return false;
    waiters_.push_back(std::move(waiter));
  }
  start_fetch(fetch, now);
  return true;
}

void JwksSource::refresh_if_stale(JwksClock::time_point now, const JwksFetcher& fetch) {
  {
    std::lock_guard lock(mu_);
    if (!keys_ || now < refresh_at_) return;
    if (!begin_fetch_locked(now)) return;
  }
  start_fetch(fetch, now);
}

void JwksSource::start_fetch(const JwksFetcher& fetch, JwksClock::time_point now) {
  // The fetch keeps its source alive, even past the snapshot that named it.
  fetch(uri_, [self = shared_from_this(), now](Result<JwksDocument> document) {
    self->finish(std::move(document), now);
  });
}

std::chrono::seconds JwksSource::ttl_for(std::optional<std::chrono::seconds> max_age) const {
  if (!max_age) return timing_.default_ttl;
  return std::clamp(*max_age, timing_.min_ttl, timing_.max_ttl);
}

void JwksSource::finish(Result<JwksDocument> document, JwksClock::time_point started) {
  // Parsed here, once per fetch, never per request.
  std::optional<JwkSet> parsed;
  std::optional<std::chrono::seconds> max_age;
  if (document.ok()) {
    auto set = JwkSet::parse(document->body, KeySource::kPublicJwks);
    if (set.ok()) parsed = std::move(set).value();
    max_age = document->max_age;
  }
  std::vector<JwksWaiter> waiters;
  {
    std::lock_guard lock(mu_);
    if (in_flight_since_ == started) in_flight_since_.reset();
    if (parsed) {
      keys_ = std::make_shared<const JwkSet>(std::move(*parsed));
      refresh_at_ = started + ttl_for(max_age);
      last_failure_.reset();
    } else {
      // Stale keys keep serving; the next background try waits a little.
      last_failure_ = started;
      refresh_at_ = started + timing_.retry_after_failure;
    }
    waiters.swap(waiters_);
  }
  for (JwksWaiter& waiter : waiters) {
    if (waiter) waiter();
  }
}

std::shared_ptr<JwksSource> JwksCache::source(const std::string& uri) {
  std::lock_guard lock(mu_);
  std::erase_if(sources_, [](const auto& entry) { return entry.second.expired(); });
  std::weak_ptr<JwksSource>& slot = sources_[uri];
  if (auto existing = slot.lock()) return existing;
  auto made = std::make_shared<JwksSource>(uri, timing_);
  slot = made;
  return made;
}

}  // namespace archway::identity

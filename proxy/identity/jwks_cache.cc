#include "proxy/identity/jwks_cache.h"

#include <algorithm>

namespace archway::identity {
namespace {

// A fetch's outcome: the parsed set, or how it failed and why.
struct Outcome {
  JwksFetchResult result = JwksFetchResult::kSuccess;
  std::optional<JwkSet> keys;
  std::optional<std::chrono::seconds> max_age;
  std::string error;
};

Outcome judge(Result<JwksDocument> document) {
  if (!document.ok()) {
    return {JwksFetchResult::kUnreachable, std::nullopt, std::nullopt,
            document.error().to_string()};
  }
  if (document->status != 200) {
    return {JwksFetchResult::kHttpError, std::nullopt, std::nullopt,
            "the JWKS endpoint answered " + std::to_string(document->status)};
  }
  auto set = JwkSet::parse(document->body, KeySource::kPublicJwks);
  if (!set.ok()) {
    return {JwksFetchResult::kInvalidJwks, std::nullopt, std::nullopt,
            "not a usable JWK Set: " + set.error().to_string()};
  }
  return {JwksFetchResult::kSuccess, std::move(set).value(), document->max_age, {}};
}

std::chrono::seconds whole_seconds(JwksClock::duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d);
}

}  // namespace

std::string_view jwks_source_state_name(JwksSourceStatus::State state) {
  switch (state) {
    case JwksSourceStatus::State::kPending:
      return "Pending";
    case JwksSourceStatus::State::kReady:
      return "Ready";
    case JwksSourceStatus::State::kFailing:
      return "Failing";
  }
  return "Pending";
}

JwksSource::JwksSource(std::string uri, JwksTiming timing, std::shared_ptr<JwksFetchStats> stats,
                       JwksClockFn clock)
    : uri_(std::move(uri)),
      timing_(timing),
      stats_(stats ? std::move(stats) : std::make_shared<JwksFetchStats>()),
      clock_(std::move(clock)) {}

std::shared_ptr<const JwkSet> JwksSource::keys() const {
  std::lock_guard lock(mu_);
  return keys_;
}

uint64_t JwksSource::fetches_started() const {
  std::lock_guard lock(mu_);
  return fetches_started_;
}

JwksSourceStatus JwksSource::status(JwksClock::time_point now) const {
  std::lock_guard lock(mu_);
  JwksSourceStatus out;
  out.uri = uri_;
  out.keys = keys_ ? keys_->keys().size() : 0;
  if (failing_since_) {
    out.state = JwksSourceStatus::State::kFailing;
    out.error = last_error_;
    out.failing_for = whole_seconds(now - *failing_since_);
  } else if (last_success_end_) {
    out.state = JwksSourceStatus::State::kReady;
  }
  if (last_success_end_) out.since_success = whole_seconds(now - *last_success_end_);
  return out;
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
  Outcome outcome = judge(std::move(document));
  const JwksClock::time_point ended = now();
  stats_->record(outcome.result, ended - started);
  std::vector<JwksWaiter> waiters;
  {
    std::lock_guard lock(mu_);
    if (in_flight_since_ == started) in_flight_since_.reset();
    if (outcome.keys) {
      keys_ = std::make_shared<const JwkSet>(std::move(*outcome.keys));
      refresh_at_ = started + ttl_for(outcome.max_age);
      last_failure_.reset();
      last_success_end_ = ended;
      failing_since_.reset();
      last_error_.clear();
    } else {
      // Stale keys keep serving; the next background try waits a little.
      last_failure_ = started;
      refresh_at_ = started + timing_.retry_after_failure;
      if (!failing_since_) failing_since_ = ended;
      last_error_ = std::move(outcome.error);
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
  auto made = std::make_shared<JwksSource>(uri, timing_, stats_, clock_);
  slot = made;
  return made;
}

std::vector<std::shared_ptr<JwksSource>> JwksCache::live_sources() const {
  std::vector<std::shared_ptr<JwksSource>> live;
  std::lock_guard lock(mu_);
  for (const auto& [uri, weak] : sources_) {
    if (auto source = weak.lock()) live.push_back(std::move(source));
  }
  return live;
}

std::vector<JwksSourceStatus> JwksCache::statuses() const {
  const std::vector<std::shared_ptr<JwksSource>> live = live_sources();
  const JwksClock::time_point now = clock_ ? clock_() : JwksClock::now();
  std::vector<JwksSourceStatus> out;
  out.reserve(live.size());
  for (const auto& source : live) out.push_back(source->status(now));
  std::sort(out.begin(), out.end(),
            [](const JwksSourceStatus& a, const JwksSourceStatus& b) { return a.uri < b.uri; });
  return out;
}

}  // namespace archway::identity

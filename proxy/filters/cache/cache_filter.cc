#include "proxy/filters/cache/cache_filter.h"

#include <boost/asio/post.hpp>

#include "proxy/cache/cache_key.h"
#include "proxy/filters/cache/background_refresh.h"
#include "proxy/filters/cache/cached_reply.h"
#include "proxy/http/error_body.h"
#include "proxy/identity/sha256.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters::cache_filter {
namespace {

using metrics::PolicyCounter;
using Clock = std::chrono::system_clock;

LocalReply only_if_cached_reply() {
  // RFC 9111 §5.2.1.7: nothing stored may answer: 504.
  LocalReply reply;
  reply.status = 504;
  reply.headers.add("content-type", "application/json");
  reply.headers.add("cache-status", "archway; detail=only-if-cached");
  reply.body = http::error_body("not in cache", 504);
  return reply;
}

}  // namespace

CacheFilter::~CacheFilter() {
  if (ticket_ != 0) rule_.fills->leave(key_, ticket_);
  end_fill(nullptr);
}

FilterStatus CacheFilter::on_request(FilterContext& ctx, LocalReply& reply) {
  if (rule_.store == nullptr ||
      cache::check_request(ctx.request, rule_.policy) != cache::Bypass::kNone) {
    role_ = Role::kBypass;
    return FilterStatus::kContinue;
  }
  directives_ = cache::parse_request_directives(ctx.request.headers);
  std::string identity;
  if (const http::Header* auth = http::find_header(ctx.request.headers, "authorization")) {
    // cacheAuthorizedRequests on a rule without auth: the credentials
    // themselves tell users apart, hashed so the key holds no secret.
    identity = ctx.identity().empty() ? identity::sha256_hex(auth->value) : ctx.identity();
    authorized_ = true;
  }
  // The client's host and the route-matched path, before any rewrite: what
  // the key and a purge name.
  host_ = cache::normalize_authority(ctx.request.authority);
  path_ = ctx.path;
  key_ = cache::primary_key(ctx.request.scheme, ctx.request.authority, ctx.path, ctx.query,
                            ctx.request.headers, rule_.policy.vary_headers, identity,
                            rule_.fingerprint);
  request_time_ = Clock::now();
  const bool head = ctx.request.method == "HEAD";
  bool key_stored = false;
  std::shared_ptr<const cache::Entry> entry =
      rule_.store->find(key_, ctx.request.headers, &key_stored);
  if (entry == nullptr && key_stored) fwd_ = "vary-miss";
  if (directives_.no_cache) {
    // The client wants the backend's answer: forwarded unconditionally (we
    // never send validators), stored for the next requests; not coalesced.
    stale_ = std::move(entry);
    fwd_ = "request";
    role_ = head ? Role::kForward : Role::kFill;
    ctx.count(PolicyCounter::kCacheMiss);
    return FilterStatus::kContinue;
  }
  if (entry != nullptr) {
    if (cache::fresh(*entry, request_time_, directives_)) {
      ctx.count(PolicyCounter::kCacheHit);
      reply = reply_from_entry(*entry, ctx.request, Served::kHit, request_time_);
      return FilterStatus::kLocalReply;
    }
    switch (cache::stale_use(*entry, request_time_, directives_)) {
      case cache::StaleUse::kMaxStale:
        ctx.count(PolicyCounter::kCacheStale);
        reply = reply_from_entry(*entry, ctx.request, Served::kStale, request_time_);
        return FilterStatus::kLocalReply;
      case cache::StaleUse::kWhileRevalidate:
        ctx.count(PolicyCounter::kCacheStale);
        start_refresh(ctx, entry);
        reply = reply_from_entry(*entry, ctx.request, Served::kWhileRevalidate, request_time_);
        return FilterStatus::kLocalReply;
      case cache::StaleUse::kIfError:
      case cache::StaleUse::kNo:
        break;
    }
    stale_ = std::move(entry);
    fwd_ = "stale";
  }
  if (directives_.only_if_cached) {
    reply = only_if_cached_reply();
    return FilterStatus::kLocalReply;
  }
  return miss(ctx, head);
}

FilterStatus CacheFilter::miss(FilterContext& ctx, bool head) {
  resume_ = std::make_shared<Resume>();
  // Called on the filler's thread once its fill ends: back to this
  // exchange's own loop, where the Resume handle says whether it still
  // exists (the rate-limit filter's pattern). Without a worker loop
  // (tests) it runs in place.
  auto waiter = [this, io = ctx.outbound ? &ctx.outbound->io() : nullptr, ctx_ptr = &ctx,
                 slot = resume_](std::shared_ptr<const cache::Entry> entry) {
    auto done = [this, ctx_ptr, slot, entry = std::move(entry)]() mutable {
      if (!slot->active()) return;  // the exchange ended while it waited
      waiter_done(*ctx_ptr, std::move(entry));
    };
    if (io == nullptr) {
      done();
    } else {
      boost::asio::post(*io, std::move(done));
    }
  };
  if (head) {
    // A HEAD never fills (its response has no body to store) but may be
    // answered from a GET's fill in flight.
    if (auto ticket = rule_.fills->join_waiting(key_, std::move(waiter))) {
      ticket_ = *ticket;
      role_ = Role::kWaiting;
      *resume_ = ctx.suspend();
      return FilterStatus::kSuspend;
    }
    role_ = Role::kForward;
    ctx.count(PolicyCounter::kCacheMiss);
    return FilterStatus::kContinue;
  }
  const cache::Fills::Join join = rule_.fills->join(key_, std::move(waiter));
  if (join.filler) {
    filling_ = true;
    role_ = Role::kFill;
    ctx.count(PolicyCounter::kCacheMiss);
    return FilterStatus::kContinue;
  }
  ticket_ = join.ticket;
  role_ = Role::kWaiting;
  *resume_ = ctx.suspend();
  return FilterStatus::kSuspend;
}

void CacheFilter::waiter_done(FilterContext& ctx, std::shared_ptr<const cache::Entry> entry) {
  ticket_ = 0;  // the fill is over: nothing to leave
  const std::shared_ptr<Resume> slot = std::move(resume_);
  if (entry != nullptr && cache::vary_matches(*entry, ctx.request.headers)) {
    ctx.count(PolicyCounter::kCacheHit);
    ctx.count(PolicyCounter::kCacheCoalesced);
    role_ = Role::kForward;  // not called again: the chain answers locally
    (*slot)(FilterStatus::kLocalReply,
            reply_from_entry(*entry, ctx.request, Served::kCollapsed, Clock::now()));
    return;
  }
  // Nothing this request can use: to the backend on its own, not storing.
  if (entry != nullptr) fwd_ = "vary-miss";
  role_ = Role::kForward;
  ctx.count(PolicyCounter::kCacheMiss);
  (*slot)(FilterStatus::kContinue);
}

void CacheFilter::on_cancel() {
  if (ticket_ != 0) rule_.fills->leave(key_, ticket_);
  ticket_ = 0;
  role_ = Role::kForward;
}

void CacheFilter::on_response_head(FilterContext& ctx, http::Response& response) {
  if (role_ == Role::kBypass) {
    response.headers.add("cache-status", "archway; fwd=bypass");
    return;
  }
  bool storing = false;
  if (role_ == Role::kFill) {
    response_time_ = Clock::now();
    storability_ = cache::check_response(response, rule_.policy,
                                         std::chrono::floor<std::chrono::seconds>(response_time_));
    storing = storability_.verdict == cache::NotStored::kStored;
    if (storing && response.content_length &&
        *response.content_length > rule_.policy.max_body_bytes) {
      storing = false;
    }
    if (storing) {
      auto vary = cache::vary_values(response.headers, ctx.request.headers);
      storing = vary.has_value();
      if (storing) vary_ = std::move(*vary);
    }
    if (storing) {
      head_ = response;  // without the fields added below and by filters before this one
      capturing_ = true;
      record_recipe(ctx);
    } else {
      end_fill(nullptr);  // waiters need not wait for the body
    }
  }
  response.headers.erase_if([](const http::Header& h) { return h.name == "x-cache"; });
  response.headers.add("x-cache", "MISS");
  response.headers.add("cache-status", forwarded_status(fwd_, response.status, storing));
}

void CacheFilter::record_recipe(FilterContext& ctx) {
  // A response for credentials cannot be fetched again without them: no
  // background refresh for it (the cluster left empty says so).
  recipe_.cluster = authorized_ ? std::string() : rule_.cluster;
  recipe_.target = ctx.path;  // the backend's path and query, after rewrite
  recipe_.authority = ctx.request.authority;
  recipe_.headers.clear();
  auto keep = [&](std::string_view name) {
    for (const auto& h : ctx.request.headers) {
      if (h.name == name) recipe_.headers.add(h.name, h.value);
    }
  };
  for (const auto& name : rule_.policy.vary_headers) keep(name);
  for (const auto& [name, value] : vary_) {
    bool listed = false;
    for (const auto& n : rule_.policy.vary_headers) listed = listed || n == name;
    if (!listed) keep(name);
  }
}

void CacheFilter::on_response_data(FilterContext& /*ctx*/, std::string_view data) {
  if (!capturing_) return;
  if (body_.size() + data.size() > rule_.policy.max_body_bytes) {
    abandon_capture();  // the client's stream goes on; only the copy stops
    return;
  }
  body_.append(data);
}

void CacheFilter::on_response_trailers(FilterContext& /*ctx*/, const http::Headers& /*trailers*/) {
  abandon_capture();  // a response with trailers is not stored
}

void CacheFilter::on_response_end(FilterContext& /*ctx*/, bool complete) {
  if (!capturing_ || !complete) {
    abandon_capture();
    return;
  }
  capturing_ = false;
  cache::FillContext fill;
  fill.key = key_;
  fill.route_fingerprint = rule_.fingerprint;
  fill.host = host_;
  fill.path = path_;
  fill.vary = std::move(vary_);
  fill.refresh = std::move(recipe_);
  fill.request_time = request_time_;
  fill.response_time = response_time_;
  std::shared_ptr<const cache::Entry> entry =
      cache::make_entry(std::move(fill), head_, std::move(body_), storability_);
  rule_.store->insert(entry);
  end_fill(std::move(entry));
}

std::optional<LocalReply> CacheFilter::on_backend_error(FilterContext& ctx, int /*status*/) {
  if (stale_ == nullptr || role_ == Role::kBypass) return std::nullopt;
  const auto now = Clock::now();
  if (!cache::within_sie(*stale_, now)) return std::nullopt;
  abandon_capture();
  ctx.count(PolicyCounter::kCacheStale);
  return reply_from_entry(*stale_, ctx.request, Served::kIfError, now);
}

void CacheFilter::abandon_capture() {
  capturing_ = false;
  body_.clear();
  end_fill(nullptr);
}

void CacheFilter::end_fill(std::shared_ptr<const cache::Entry> entry) {
  if (!filling_) return;
  filling_ = false;
  rule_.fills->complete(key_, std::move(entry));
}

void CacheFilter::start_refresh(FilterContext& ctx,
                                const std::shared_ptr<const cache::Entry>& entry) {
  if (ctx.outbound == nullptr || ctx.backends == nullptr || entry->refresh.cluster.empty()) return;
  if (entry->refreshing.exchange(true)) return;  // one refresh per entry
  const std::optional<std::string> endpoint = ctx.backends->http_endpoint();
  if (!endpoint) {
    entry->refreshing.store(false);
    return;
  }
  refresh_in_background(*ctx.outbound, *endpoint, entry,
                        RefreshTarget{rule_.store, rule_.policy, rule_.fingerprint});
}

}  // namespace archway::filters::cache_filter

#include "proxy/filters/cache/background_refresh.h"

#include <chrono>

#include "proxy/cache/cache_key.h"
#include "proxy/cache/policy.h"
#include "proxy/outbound/http_client.h"

namespace archway::filters::cache_filter {
namespace {

using Clock = std::chrono::system_clock;

// How long a refresh may take: it holds no client, so a slow backend costs
// only the fetch; the entry keeps being served stale meanwhile.
constexpr std::chrono::seconds kRefreshTimeout{10};

void store_answer(const RefreshTarget& target, const cache::Entry& stale,
                  Clock::time_point request_time, outbound::OutboundResponse answer) {
  const Clock::time_point now = Clock::now();
  http::Response head;
  head.status = answer.status;
  head.headers = std::move(answer.headers);
  head.content_length = answer.body.size();
  const cache::Storability storability =
      cache::check_response(head, target.policy, std::chrono::floor<std::chrono::seconds>(now));
  auto vary = cache::vary_values(head.headers, stale.refresh.headers);
  if (storability.verdict != cache::NotStored::kStored || !vary ||
      answer.body.size() > target.policy.max_body_bytes) {
    stale.refreshing.store(false);
    return;
  }
  cache::FillContext fill;
  fill.key = stale.key;
  fill.route_fingerprint = target.fingerprint;
  fill.host = stale.host;
  fill.path = stale.path;
  fill.vary = std::move(*vary);
  fill.refresh = stale.refresh;
  fill.request_time = request_time;
  fill.response_time = now;
  target.store->insert(
      cache::make_entry(std::move(fill), head, std::move(answer.body), storability));
}

}  // namespace

void refresh_in_background(outbound::HttpClient& client, const std::string& endpoint,
                           std::shared_ptr<const cache::Entry> entry, RefreshTarget target) {
  outbound::OutboundRequest request;
  request.method = "GET";
  request.url = "http://" + endpoint + entry->refresh.target;
  request.authority = entry->refresh.authority;
  request.headers = entry->refresh.headers;
  request.timeout = kRefreshTimeout;
  // One byte more than stored: a larger answer fails the fetch, and the
  // stale entry stays.
  request.max_response_bytes = target.policy.max_body_bytes + 1;
  const Clock::time_point request_time = Clock::now();
  // Detached: the refresh outlives the request that started it.
  client.fetch_detached(std::move(request), [entry = std::move(entry), target = std::move(target),
                                             request_time](Result<outbound::OutboundResponse> r) {
    if (!r.ok()) {
      entry->refreshing.store(false);
      return;
    }
    store_answer(target, *entry, request_time, std::move(r).value());
  });
}

}  // namespace archway::filters::cache_filter

#pragma once
// What the cache answers from a stored entry, and the fields it adds to
// every response of a cached rule (docs/cache.md "Response fields"): Age,
// X-Cache (HIT | MISS | STALE) and Cache-Status (RFC 9211, cache name
// "archway").

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/cache/entry.h"
#include "proxy/filters/filter.h"

namespace archway::filters::cache_filter {

// How an answer from the store came about.
enum class Served : uint8_t {
  kHit,              // fresh
  kCollapsed,        // fresh, filled by another request this one waited for
  kStale,            // stale, accepted by the request's max-stale
  kWhileRevalidate,  // stale within stale-while-revalidate; a refresh runs
  kIfError,          // stale within stale-if-error; the backend failed
};

// The answer to a request from `entry` at `now`: the stored response with
// Age, X-Cache and Cache-Status; headers only for HEAD (the exchange sends
// no body to a HEAD, Content-Length still says the body's size); a 304
// (RFC 9111 §4.3.2) when the request's validators match.
[[nodiscard]] LocalReply reply_from_entry(const cache::Entry& entry, const http::Request& request,
                                          Served served, std::chrono::system_clock::time_point now);

// Cache-Status of a forwarded request: `fwd` is RFC 9211's reason
// ("uri-miss", "vary-miss", "request", "stale", "bypass"); `backend_status`
// 0 when none came; `stored` when the response is being stored.
[[nodiscard]] std::string forwarded_status(std::string_view fwd, int backend_status, bool stored,
                                           bool collapsed = false);

}  // namespace archway::filters::cache_filter

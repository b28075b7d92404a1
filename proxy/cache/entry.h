#pragma once
// One stored response (a variant of a primary key, RFC 9111 §4.1) and the
// freshness arithmetic on it (§4.2). An Entry is immutable once stored and
// shared as shared_ptr<const Entry>: the store hands out copies of the
// pointer and a worker serves the body outside any lock, so an eviction or
// a purge never frees bytes being written to a client. The one mutable bit
// is `refreshing`, the stale-while-revalidate latch that lets exactly one
// request start a background refresh.
//
// Beyond the first interface: kAbsent, FillContext and make_entry() (one
// place that turns a storable response into an entry), stale_use().

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/cache/cache_control.h"
#include "proxy/cache/policy.h"
#include "proxy/http/message.h"

namespace archway::cache {

// The value a Vary'ed request field had when it was absent: distinct from
// every value a field can have (a field value never holds NUL).
inline constexpr std::string_view kAbsent{"\0absent", 7};

// What a background refresh (stale-while-revalidate) needs to ask the
// backend again as the filler did: the route's cluster, the request target
// and Host sent to the backend, and the request fields the key depends on.
struct RefreshRecipe {
  std::string cluster;
  std::string target;
  std::string authority;
  http::Headers headers;
};

struct Entry {
  std::string key;  // primary key (cache_key.h)
  uint64_t route_fingerprint = 0;
  std::string host;  // normalised authority, for purge
  std::string path;  // route-matched path, for purge
  // The response's Vary names (lower case) → the request's value at fill
  // time, kAbsent when the request had none (§4.1).
  std::vector<std::pair<std::string, std::string>> vary;

  int status = 200;
  http::Headers headers;  // minus hop-by-hop fields and Age
  std::string body;

  // §4.2.3: request_time and response_time are this cache's clock.
  std::chrono::system_clock::time_point request_time, response_time;
  std::chrono::seconds age_value{};  // the response's Age, 0 when none
  // response_time − Date (the apparent age before clamping at 0); 0 when
  // the response had no valid Date.
  std::chrono::seconds date_value_offset{};
  std::chrono::milliseconds lifetime{};
  std::chrono::seconds stale_while_revalidate{}, stale_if_error{};
  bool no_stale = false;
  std::string etag, last_modified;  // validators, "" when absent
  RefreshRecipe refresh;

  mutable std::atomic<bool> refreshing{false};

  // What this entry costs the store's budget: its strings plus a fixed
  // overhead per field and per entry (the nodes that index it).
  [[nodiscard]] size_t bytes() const;
};

// What the filler knew about the request when the response arrived.
struct FillContext {
  std::string key;
  uint64_t route_fingerprint = 0;
  std::string host, path;
  std::vector<std::pair<std::string, std::string>> vary;  // cache_key.h vary_values()
  RefreshRecipe refresh;
  std::chrono::system_clock::time_point request_time, response_time;
};

// Builds the entry for a storable response (check_response said kStored):
// drops Age and the fields a qualified no-cache / private names, reads Age,
// Date, ETag and Last-Modified, and takes the windows from `storability`.
[[nodiscard]] std::shared_ptr<Entry> make_entry(FillContext context, const http::Response& head,
                                                std::string body, const Storability& storability);

// current_age (§4.2.3) in whole seconds, as the Age field says it.
[[nodiscard]] std::chrono::seconds current_age(const Entry& entry,
                                               std::chrono::system_clock::time_point now);
// lifetime − current age, to the millisecond; negative once stale (its
// magnitude is the staleness).
[[nodiscard]] std::chrono::milliseconds remaining(const Entry& entry,
                                                  std::chrono::system_clock::time_point now);
// Fresh and acceptable to this request (§4.2, §5.2.1.1 max-age, §5.2.1.3
// min-fresh).
[[nodiscard]] bool fresh(const Entry& entry, std::chrono::system_clock::time_point now,
                         const RequestDirectives& request);

// How a stale entry may still be served.
enum class StaleUse : uint8_t {
  kNo,
  kWhileRevalidate,  // within stale-while-revalidate: serve, refresh in the background
  kIfError,          // within stale-if-error: serve instead of the backend's error
  kMaxStale,         // the request's max-stale accepts it (§5.2.1.2)
};
// Stale and within its stale-while-revalidate window (RFC 5861 §3).
[[nodiscard]] bool within_swr(const Entry& entry, std::chrono::system_clock::time_point now);
// Stale and within its stale-if-error window (RFC 5861 §4).
[[nodiscard]] bool within_sie(const Entry& entry, std::chrono::system_clock::time_point now);
// For a stale entry and a request about to go to the backend: kMaxStale
// when the request accepts it as it is, else kWhileRevalidate when within
// that window, else kNo (kIfError is decided once the backend failed, with
// within_sie). A request max-age the entry's age exceeds, or no-cache,
// refuses stale answers; a no_stale entry is never served stale.
[[nodiscard]] StaleUse stale_use(const Entry& entry, std::chrono::system_clock::time_point now,
                                 const RequestDirectives& request);

}  // namespace archway::cache

#pragma once
// What the cache may do with a request and with a backend's response, by
// the rule's `cache` policy (docs/cache.md) and RFC 9111 §3 for a shared
// cache with heuristic freshness off. The verdicts are values so that the
// filter can say why in Cache-Status and count them.
//
// Beyond the first interface: Storability::no_stale, to_string(); the
// lifetime keeps the rule's ttl as time spent here (docs/decisions.md).

#include <chrono>
#include <cstdint>

#include "proxy/config/policies/cache.h"
#include "proxy/http/message.h"

namespace archway::cache {

// Why a request does not use the cache at all (not looked up, not stored).
enum class Bypass : uint8_t {
  kNone,           // eligible
  kMethod,         // not GET or HEAD
  kAuthorization,  // Authorization without cacheAuthorizedRequests (§3.5)
  kRange,          // Range: no partial content support
  kNoStore,        // request Cache-Control: no-store (§5.2.1.5)
};
[[nodiscard]] Bypass check_request(const http::Request& request, const config::Cache& policy);

// Why a response is not stored; kStored when it is.
enum class NotStored : uint8_t {
  kStored,
  kStatus,       // not a status we store (§3: final, understood, cacheable by default)
  kNoStore,      // no-store (§5.2.2.5)
  kPrivate,      // unqualified private (§5.2.2.7)
  kNoCache,      // unqualified no-cache: we never revalidate on every use (§5.2.2.4)
  kSetCookie,    // Set-Cookie without cacheSetCookie
  kVaryStar,     // Vary: * never matches (§4.1)
  kTooLarge,     // body over maxBodyBytes (Content-Length here, counted by the caller)
  kNoFreshness,  // freshness lifetime 0, or already stale on arrival
  kTrailers,     // trailers are not stored (reported by the caller)
};

struct Storability {
  NotStored verdict = NotStored::kStored;
  // How long the entry is fresh, measured like its age (§4.2.3): the
  // response's own lifetime (s-maxage, else max-age, else Expires − Date),
  // capped so that it stays at most the rule's ttl in this cache, i.e.
  // min(response lifetime, ttl + the age it arrived with). Without a
  // response lifetime, ttl + arrival age.
  std::chrono::milliseconds lifetime{};
  // RFC 5861 windows after the lifetime: the response's directives, else
  // the rule's; 0 when no_stale.
  std::chrono::seconds stale_while_revalidate{}, stale_if_error{};
  // must-revalidate, proxy-revalidate or s-maxage (§4.2.4, §5.2.2.2,
  // §5.2.2.8, §5.2.2.10): never served stale, not even to max-stale.
  bool no_stale = false;
};

// `now` is when the response head arrived (the response_time of §4.2.3).
[[nodiscard]] Storability check_response(const http::Response& response,
                                         const config::Cache& policy, std::chrono::sys_seconds now);

[[nodiscard]] const char* to_string(Bypass bypass);
[[nodiscard]] const char* to_string(NotStored verdict);

}  // namespace archway::cache

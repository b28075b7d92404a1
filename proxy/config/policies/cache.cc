// cache: the APIRoute field's schema (crds/generate.py "cache"), with its
// CEL rule ttl > 0. Vary header names are lower-cased when decoded. The
// stale windows and cacheSetCookie are optional (0s, false): a snapshot
// written before they existed decodes to the same policy.

#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {

void decode(Decoder& d, const Json& json, const std::string& path, Cache& out) {
  ObjectReader r(d, json, path,
                 {"ttl", "varyHeaders", "maxBodyBytes", "cacheAuthorizedRequests",
                  "staleWhileRevalidate", "staleIfError", "cacheSetCookie"});
  if (r.ok() && r.child("ttl") == nullptr) d.fail(r.field("ttl"), "is required");
  r.get_duration("ttl", out.ttl);
  get_lower_strings(r, "varyHeaders", out.vary_headers);
  r.get("maxBodyBytes", out.max_body_bytes, 0, ~0ULL);
  r.get("cacheAuthorizedRequests", out.cache_authorized_requests);
  r.get_duration("staleWhileRevalidate", out.stale_while_revalidate);
  r.get_duration("staleIfError", out.stale_if_error);
  r.get("cacheSetCookie", out.cache_set_cookie);
}

Result<void> validate(const Cache& cache, const std::string& path) {
  if (cache.ttl.count() <= 0) return invalid(path + ".ttl", "ttl must be longer than 0s");
  if (auto r = check_header_names(cache.vary_headers, path + ".varyHeaders", 16); !r.ok()) {
    return r;
  }
  return check_range(cache.max_body_bytes, path + ".maxBodyBytes", 0, 64ULL * 1024 * 1024);
}

Json to_json(const Cache& cache) {
  return {{"ttl", format_duration(cache.ttl)},
          {"varyHeaders", cache.vary_headers},
          {"maxBodyBytes", cache.max_body_bytes},
          {"cacheAuthorizedRequests", cache.cache_authorized_requests},
          {"staleWhileRevalidate", format_duration(cache.stale_while_revalidate)},
          {"staleIfError", format_duration(cache.stale_if_error)},
          {"cacheSetCookie", cache.cache_set_cookie}};
}

}  // namespace archway::config

#pragma once
// DELETE /cache on the admin endpoints (docs/cache.md "Purge"):
//   DELETE /cache?host=H&path=P    drops every stored response of host H and
//                                  exactly path P (all queries, all variants)
//   DELETE /cache?host=H&prefix=P  drops those whose path starts with P
// → 200 {"purged": N}; 400 when host is missing or empty, when not exactly one
// of path/prefix is given, when a path does not start with '/', or a
// parameter is unknown or repeated; 405 for any other method on /cache.
//
// Values are %XX-decoded ('+' stays '+': this is not form encoding). The
// host is normalised as keys are (cache::normalize_authority: lower case,
// :80 / :443 dropped; other ports are part of the host).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "proxy/admin/admin_response.h"

namespace archway::admin {

struct CachePurgeQuery {
  std::string host;
  std::string path;  // the exact path, or the prefix when `prefix`
  bool prefix = false;

  bool operator==(const CachePurgeQuery&) const = default;
};

// Drops what the query names from the process's cache and says how many
// responses went. Called on the admin thread; the store is thread-safe.
using PurgeCache = std::function<size_t(const CachePurgeQuery&)>;

// `query` is the target's text after '?', without it.
[[nodiscard]] Result<CachePurgeQuery> parse_cache_purge_query(std::string_view query);

// The whole /cache endpoint: method, target (path and query), the purge to
// run. A null `purge` (no cache in this process) purges nothing: {"purged":0}.
[[nodiscard]] AdminResponse handle_cache_purge(std::string_view method, std::string_view target,
                                               const PurgeCache& purge);

}  // namespace archway::admin

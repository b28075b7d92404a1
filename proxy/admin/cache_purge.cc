#include "proxy/admin/cache_purge.h"

#include <nlohmann/json.hpp>

#include "proxy/cache/cache_key.h"
#include "proxy/routing/match_conditions.h"

namespace archway::admin {

namespace {

AdminResponse error_response(int status, const std::string& message) {
  return {status, "application/json",
          nlohmann::json{{"error", message}, {"status", status}}.dump(
              -1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace

Result<CachePurgeQuery> parse_cache_purge_query(std::string_view query) {
  CachePurgeQuery out;
  bool has_host = false, has_path = false, has_prefix = false;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string name = routing::decode_query_component(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : routing::decode_query_component(pair.substr(eq + 1));
    bool* seen = nullptr;
    if (name == "host") {
      seen = &has_host;
      out.host = cache::normalize_authority(value);
    } else if (name == "path" || name == "prefix") {
      seen = name == "path" ? &has_path : &has_prefix;
      out.path = std::move(value);
      out.prefix = name == "prefix";
    } else {
      return invalid(name, "unknown parameter (host, path or prefix)");
    }
    if (*seen) return invalid(name, "given twice");
    *seen = true;
  }
  if (!has_host || out.host.empty()) return invalid("host", "required");
  if (has_path == has_prefix) return invalid("path", "give exactly one of path and prefix");
  if (!out.path.starts_with('/')) {
    return invalid(out.prefix ? "prefix" : "path", "must start with '/'");
  }
  return out;
}

AdminResponse handle_cache_purge(std::string_view method, std::string_view target,
                                 const PurgeCache& purge) {
  if (method != "DELETE") return error_response(405, "method not allowed (DELETE /cache)");
  const size_t q = target.find('?');
  auto query = parse_cache_purge_query(q == std::string_view::npos ? std::string_view()
                                                                   : target.substr(q + 1));
  if (!query.ok()) return error_response(400, query.error().to_string());
  const size_t purged = purge ? purge(*query) : 0;
  return {200, "application/json", nlohmann::json{{"purged", purged}}.dump()};
}

}  // namespace archway::admin

#include "controller/status/jwks_condition.h"

namespace archway::controller::status {

std::map<std::string, std::set<std::string>> jwks_uris_by_route(const config::Snapshot& snapshot) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& vhost : snapshot.virtual_hosts) {
    for (const auto& route : vhost.routes) {
      const auto& auth = route.policies.auth;
      if (!auth || !auth->jwt || !auth->jwt->jwks_uri) continue;
      out[route.route_name.empty() ? route.name : route.route_name].insert(*auth->jwt->jwks_uri);
    }
  }
  return out;
}

std::optional<Condition> jwks_condition(const std::set<std::string>& uris,
                                        const JwksReports& reports) {
  if (uris.empty()) return std::nullopt;
  std::string failures;
  bool all_ready = true;
  for (const std::string& uri : uris) {
    const auto it = reports.find(uri);
    if (it == reports.end() || it->second.state == "Pending") {
      all_ready = false;
      continue;
    }
    if (it->second.state != "Failing") continue;
    if (!failures.empty()) failures += "; ";
    // Stable text only (no ages): an unchanged failure must not rewrite
    // the status at every poll.
    failures += uri + ": " + it->second.error +
                (it->second.keys > 0 ? " (keys fetched before keep serving)"
                                     : " (no keys yet: requests get 503)");
  }
  if (!failures.empty()) return Condition{kJwksReadyType, false, "JWKSFetchFailed", failures};
  if (!all_ready) return std::nullopt;
  std::string fetched;
  for (const std::string& uri : uris) fetched += (fetched.empty() ? "" : ", ") + uri;
  return Condition{kJwksReadyType, true, "JWKSFetched", "keys fetched from " + fetched};
}

}  // namespace archway::controller::status

#pragma once
// The APIRoute condition `JWKSReady` (docs/auth.md "JWKS on the APIRoute"):
// how the proxy's fetches of the jwksUris a route's rules name stand, from
// the proxy's GET /jwks. Pure, so every case is unit-tested without a
// proxy. It never touches Accepted, Programmed or Ready: an issuer that is
// down is not a fault of the route, and stale keys may still serve.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "controller/status/status_writer.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::status {

inline constexpr const char* kJwksReadyType = "JWKSReady";

// What the proxy's GET /jwks says of one jwksUri.
struct JwksSourceReport {
  std::string uri;
  std::string state;  // Pending | Ready | Failing
  uint64_t keys = 0;  // usable keys serving now (stale ones while Failing)
  std::string error;  // Failing only
  friend bool operator==(const JwksSourceReport&, const JwksSourceReport&) = default;
};
using JwksReports = std::map<std::string, JwksSourceReport>;  // by uri

// The jwksUris each APIRoute's rules name in `snapshot`, by the route's
// "namespace/name" (Route::route_name); routes naming none are absent.
[[nodiscard]] std::map<std::string, std::set<std::string>> jwks_uris_by_route(
    const config::Snapshot& snapshot);

// JWKSReady for a route naming `uris`: False (JWKSFetchFailed, each failing
// URI with its error) when one's last fetch failed, True (JWKSFetched) when
// every one has keys; nullopt when it names none or one has not been
// fetched yet (no condition then: nothing is known).
[[nodiscard]] std::optional<Condition> jwks_condition(const std::set<std::string>& uris,
                                                      const JwksReports& reports);

}  // namespace archway::controller::status

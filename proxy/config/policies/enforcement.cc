// Which policies this proxy version enforces, and the refusal of a route
// that needs one it does not. A policy that is safe to skip until enforced
// is accepted and carried, and the controller reports it as not enforced
// (every policy is enforced today). auth is never skipped: a route that asks for
// authentication must not be served without it. aggregate is the route's
// action, so without it there is nothing to answer with.

#include <algorithm>
#include <array>

#include "proxy/config/policies/codec.h"

namespace archway::config {
namespace {

// The one list to change when a policy's filter lands. auth is listed per
// method ("auth.jwt", "auth.apiKey", "auth.oauth2Introspection"): each
// lands on its own, and a route is refused unless the method it names is
// enforced. The controller reads it too (enforced_by_this_proxy), so its
// status messages and the proxy never disagree.
constexpr std::array<std::string_view, 12> kEnforcedPolicies = {
    "cors",      "auth.jwt",    "auth.apiKey",  "auth.oauth2Introspection",
    "rateLimit", "cache",       "versioning",   "circuitBreaker",
    "retries",   "requestBody", "responseBody", "aggregate"};

// The enforcement name of the method an auth policy sets ("auth.jwt");
// validation has already made sure exactly one is set.
std::string_view auth_method(const Auth& auth) {
  if (auth.jwt) return "auth.jwt";
  if (auth.oauth2_introspection) return "auth.oauth2Introspection";
  return "auth.apiKey";
}

}  // namespace

bool enforced_by_this_proxy(std::string_view policy) {
  return std::find(kEnforcedPolicies.begin(), kEnforcedPolicies.end(), policy) !=
         kEnforcedPolicies.end();
}

Result<void> check_enforced(const RoutePolicies& policies, const std::string& path) {
  if (policies.auth && !enforced_by_this_proxy(auth_method(*policies.auth))) {
    return invalid(path + ".auth",
                   "not enforced by this proxy version; refused rather than served without "
                   "authentication");
  }
  if (policies.aggregate && !enforced_by_this_proxy("aggregate")) {
    return invalid(path + ".aggregate",
                   "not enforced by this proxy version; refused rather than answered without "
                   "the composed response");
  }
  return {};
}

}  // namespace archway::config

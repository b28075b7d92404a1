#pragma once
// forwardClaims for both bearer filters (auth.jwt and
// auth.oauth2Introspection), so that they strip and set the same way
// (docs/auth.md "Forwarded claims"). Compiled once per snapshot; const, so
// one object serves every worker. Private to filters/auth/.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/config/policies/auth.h"
#include "proxy/http/message.h"

namespace archway::filters::auth {

// One header value per configured claim, in the policy's order; nullopt
// where the claim is missing or cannot be a header value
// (identity::claim_header_value).
using ForwardedValues = std::vector<std::optional<std::string>>;

class ClaimForwarding {
 public:
  explicit ClaimForwarding(const std::vector<config::ForwardClaim>& claims);

  // Removes every incoming field named like a forwarded claim's header. Run
  // before anything can refuse the request: a forged copy never reaches the
  // backend, whatever the verdict.
  void strip_incoming(http::Headers& headers) const;

  // The values `claims` (a claim set, a JSON object) gives for the policy.
  [[nodiscard]] ForwardedValues values_from(const nlohmann::json& claims) const;

  // Adds one field per value that is set (after strip_incoming).
  void forward(const ForwardedValues& values, http::Headers& headers) const;

  [[nodiscard]] bool empty() const { return claims_.empty(); }

 private:
  std::vector<config::ForwardClaim> claims_;
  std::vector<std::string> headers_;  // claims_[i].header, for strip_fields
};

}  // namespace archway::filters::auth

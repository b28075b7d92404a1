#include "proxy/filters/auth/claim_forwarding.h"

#include "proxy/filters/auth/bearer.h"
#include "proxy/identity/claim_header_value.h"

namespace archway::filters::auth {

ClaimForwarding::ClaimForwarding(const std::vector<config::ForwardClaim>& claims)
    : claims_(claims) {
  headers_.reserve(claims_.size());
  for (const config::ForwardClaim& claim : claims_) headers_.push_back(claim.header);
}

void ClaimForwarding::strip_incoming(http::Headers& headers) const {
  strip_fields(headers, headers_);
}

ForwardedValues ClaimForwarding::values_from(const nlohmann::json& claims) const {
  ForwardedValues out;
  out.reserve(claims_.size());
  for (const config::ForwardClaim& claim : claims_) {
    out.push_back(identity::claim_header_value(claims, claim.claim));
  }
  return out;
}

void ClaimForwarding::forward(const ForwardedValues& values, http::Headers& headers) const {
  for (size_t i = 0; i < claims_.size() && i < values.size(); ++i) {
    if (values[i]) headers.add(claims_[i].header, *values[i]);
  }
}

}  // namespace archway::filters::auth

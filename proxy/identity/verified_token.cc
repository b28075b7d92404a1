#include "proxy/identity/verified_token.h"

#include <algorithm>

#include "proxy/identity/claim_header_value.h"

namespace archway::identity {

std::optional<std::string> VerifiedToken::claim_as_header_value(std::string_view name) const {
  return claim_header_value(claims, name);
}

bool VerifiedToken::has_scope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

}  // namespace archway::identity

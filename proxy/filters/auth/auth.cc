#include "proxy/filters/auth/auth.h"

#include "proxy/filters/auth/api_key_filter.h"
#include "proxy/filters/auth/jwt_filter.h"

namespace archway::filters {

std::unique_ptr<const FilterConfig> make_auth_filter(const config::Auth& config,
                                                     SharedPolicyState& shared) {
  if (config.jwt) return auth::make_jwt_filter(*config.jwt, shared);
  if (config.api_key) return auth::make_api_key_filter(*config.api_key);
  return nullptr;  // oauth2Introspection: not enforced yet (enforcement.cc)
}

}  // namespace archway::filters

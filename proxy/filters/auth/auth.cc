#include "proxy/filters/auth/auth.h"

#include "proxy/filters/auth/api_key_filter.h"
#include "proxy/filters/auth/introspection_filter.h"
#include "proxy/filters/auth/jwt_filter.h"

namespace archway::filters {

std::unique_ptr<const FilterConfig> make_auth_filter(const config::Auth& config,
                                                     SharedPolicyState& shared) {
  if (config.jwt) return auth::make_jwt_filter(*config.jwt, shared);
  if (config.api_key) return auth::make_api_key_filter(*config.api_key);
  if (config.oauth2_introspection) {
    return auth::make_introspection_filter(*config.oauth2_introspection, shared);
  }
  return nullptr;  // validation makes sure one method is set
}

}  // namespace archway::filters

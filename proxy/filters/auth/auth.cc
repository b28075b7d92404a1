#include "proxy/filters/auth/auth.h"

#include "proxy/filters/auth/introspection_filter.h"
#include "proxy/filters/auth/jwt_filter.h"

namespace archway::filters {

std::unique_ptr<const FilterConfig> make_auth_filter(const config::Auth& config,
                                                     SharedPolicyState& shared) {
  if (config.jwt) return auth::make_jwt_filter(*config.jwt, shared);
  if (config.oauth2_introspection) {
    return auth::make_introspection_filter(*config.oauth2_introspection, shared);
  }
  return nullptr;  // apiKey: not enforced yet (enforcement.cc)
}

}  // namespace archway::filters

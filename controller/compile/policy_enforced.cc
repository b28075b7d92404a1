#include "controller/compile/policy_enforced.h"

#include "proxy/config/policies/codec.h"

namespace archway::controller::compile {

bool is_enforced(const PolicyEnforced& enforced, std::string_view policy) {
  return enforced ? enforced(policy) : config::enforced_by_this_proxy(policy);
}

}  // namespace archway::controller::compile

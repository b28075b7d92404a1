#pragma once
// Which policies the proxy enforces. The proxy's own list
// (config::enforced_by_this_proxy) names them: a policy ("cors") or, for
// auth, a method ("auth.jwt", "auth.apiKey", "auth.oauth2Introspection").
// Compile asks through a PolicyEnforced so that tests can pin the answer and
// do not change meaning with the proxy version they are built against.

#include <functional>
#include <string_view>

namespace archway::controller::compile {

using PolicyEnforced = std::function<bool(std::string_view policy)>;

// `enforced(policy)`, or the proxy's own answer when `enforced` is empty.
[[nodiscard]] bool is_enforced(const PolicyEnforced& enforced, std::string_view policy);

}  // namespace archway::controller::compile

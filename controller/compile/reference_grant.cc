#include "controller/compile/reference_grant.h"

#include "controller/compile/json_access.h"

namespace archway::controller::compile {
namespace {

bool grants_from(const Json& spec, const Referrer& from) {
  for (const Json& entry : array(spec, "from")) {
    if (str(entry, "kind") == from.kind && str(entry, "namespace") == from.ns) return true;
  }
  return false;
}

bool grants_to(const Json& spec, const Referent& to) {
  for (const Json& entry : array(spec, "to")) {
    if (str(entry, "kind") != to.kind) continue;
    // No name: every object of that kind in the grant's namespace.
    const std::string name = str(entry, "name");
    if (name.empty() || name == to.name) return true;
  }
  return false;
}

}  // namespace

bool reference_permitted(const ClusterState& state, const Referrer& from, const Referent& to) {
  if (to.ns == from.ns) return true;
  const std::string ns(to.ns);
  for (auto it = state.reference_grants.lower_bound(ObjectKey{ns, ""});
       it != state.reference_grants.end() && it->first.ns == ns; ++it) {
    const Json& spec = object(it->second, "spec");
    if (grants_from(spec, from) && grants_to(spec, to)) return true;
  }
  return false;
}

std::optional<Problem> check_reference(const ClusterState& state, const Referrer& from,
                                       const Referent& to) {
  if (reference_permitted(state, from, to)) return std::nullopt;
  return Problem{Reason::kRefNotPermitted,
                 std::string(to.kind) + " " + std::string(to.ns) + "/" + std::string(to.name) +
                     ": a reference from namespace " + std::string(from.ns) + " to namespace " +
                     std::string(to.ns) + " needs a ReferenceGrant in " + std::string(to.ns)};
}

}  // namespace archway::controller::compile

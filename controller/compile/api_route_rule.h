#pragma once
// One APIRoute rule (DESIGN.md §2) → one config::Route, with every field
// parsed and validated; nothing the user wrote is pasted into text.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/compile/policy_enforced.h"
#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

// An accepted rule and what it brings along.
struct TranslatedRule {
  config::Route route;
  std::vector<config::Cluster> clusters;  // the backends' clusters, without endpoints
  // cluster name → the Service port whose endpoints it gets (endpoint_index.h)
  std::map<std::string, EndpointSource> endpoint_sources;
  std::vector<Problem> unresolved;      // dangling Service references (ResolvedRefs=False)
  std::vector<std::string> unenforced;  // policy fields the proxy does not enforce yet
  // timeouts.connect: for the connections to the backends' clusters (a
  // cluster's, not the route's; the shortest of its rules wins)
  std::optional<config::Duration> connect_timeout;
};

// `rule` already has the route's `defaults` merged in; `field` is its path in
// the object ("spec.rules[2]") for messages. A rejection (Accepted=False) is
// the first problem found. `enforced` answers which policies and auth
// methods the proxy enforces (the proxy's own list when empty).
[[nodiscard]] Result<TranslatedRule, Problem> translate_rule(const nlohmann::json& rule,
                                                             const std::string& field,
                                                             const ObjectKey& route_key,
                                                             const ClusterState& state,
                                                             const PolicyEnforced& enforced = {});

// Deep merge: `rule` wins on every leaf, objects merge, arrays replace.
[[nodiscard]] nlohmann::json merge_defaults(const nlohmann::json& defaults,
                                            const nlohmann::json& rule);

}  // namespace archway::controller::compile

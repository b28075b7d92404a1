#pragma once
// APIRoute (DESIGN.md §2) and Ingress (§3) → TranslatedObject. Each judges
// one object alone; conflicts between objects are vhost_builder.h's job.

#include <nlohmann/json.hpp>

#include "controller/compile/backend_resolver.h"
#include "controller/compile/policy_enforced.h"
#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::compile {

// Either the translated object or the problem that keeps it out of the
// snapshot (Accepted=False). `enforced`: which policies and auth methods the
// proxy enforces (the proxy's own list when empty).
[[nodiscard]] Result<TranslatedObject, Problem> translate_api_route(
    const nlohmann::json& route, const ClusterState& state, const PolicyEnforced& enforced = {});

// `nginx_import`: read ingress-nginx annotations (docs/migration.md); when
// false they are only named in a Warning Event.
[[nodiscard]] Result<TranslatedObject, Problem> translate_ingress(const nlohmann::json& ingress,
                                                                  const ClusterState& state,
                                                                  bool nginx_import = false);

// Shared by both: the object's identity fields.
void fill_identity(const nlohmann::json& obj, const char* kind, TranslatedObject& out);

}  // namespace archway::controller::compile

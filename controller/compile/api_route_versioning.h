#pragma once
// spec.versioning of an APIRoute (docs/versioning.md) → the typed policy
// every rule's route carries, and matches[].version → Match::version.
// Decoded and checked by the proxy's own codec (config::parse_policy), so
// the controller and the proxy can never accept different things.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "controller/compile/translated.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

// nullopt when the spec has no versioning; InvalidValue naming the field
// ("spec.versioning.versions[1].sunset") when it is malformed.
[[nodiscard]] Result<std::optional<config::Versioning>, Problem> translate_versioning(
    const nlohmann::json& spec);

// Copies each match's `version` of `rule` (the JSON the route was
// translated from; `field` its path) onto `route`, and the route's
// versioning onto its policies. A version the route does not declare is
// UnknownVersion (what the CRD's CEL rule says, for an API server that did
// not check it).
[[nodiscard]] std::optional<Problem> apply_versioning(
    const nlohmann::json& rule, const std::string& field,
    const std::optional<config::Versioning>& versioning, config::Route& route);

}  // namespace archway::controller::compile

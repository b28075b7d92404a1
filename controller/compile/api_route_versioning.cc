#include "controller/compile/api_route_versioning.h"

#include "controller/compile/json_access.h"
#include "proxy/config/policies/codec.h"

namespace archway::controller::compile {

Result<std::optional<config::Versioning>, Problem> translate_versioning(const Json& spec) {
  const Json* json = member(spec, "versioning");
  if (json == nullptr) return std::optional<config::Versioning>();
  auto parsed = config::parse_policy<config::Versioning>(*json, "spec.versioning");
  if (!parsed.ok()) return Problem{Reason::kInvalidValue, parsed.error().to_string()};
  return std::optional<config::Versioning>(std::move(*parsed));
}

std::optional<Problem> apply_versioning(const Json& rule, const std::string& field,
                                        const std::optional<config::Versioning>& versioning,
                                        config::Route& route) {
  const Json& matches = array(rule, "matches");
  // translate_rule makes one Match per JSON match (or one catch-all for none).
  for (size_t i = 0; i < matches.size() && i < route.matches.size(); ++i) {
    const Json* version = member(matches[i], "version");
    if (version == nullptr || !version->is_string()) continue;
    const std::string name = version->get<std::string>();
    if (!versioning || versioning->find(name) == nullptr) {
      return Problem{Reason::kUnknownVersion, field + ".matches[" + std::to_string(i) +
                                                  "].version: \"" + name +
                                                  "\" is not one of spec.versioning.versions"};
    }
    route.matches[i].version = name;
  }
  route.policies.versioning = versioning;
  return std::nullopt;
}

}  // namespace archway::controller::compile

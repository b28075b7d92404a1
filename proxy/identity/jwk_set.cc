#include "proxy/identity/jwk_set.h"

#include "proxy/identity/strict_json.h"

namespace archway::identity {

Result<JwkSet> JwkSet::parse(std::string_view json, KeySource source, const JwksLimits& limits) {
  if (json.size() > limits.max_bytes) {
    return invalid("jwks", "larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  const auto document = parse_strict_json_object(json);
  if (!document) return invalid("jwks", "not a JSON object (or a member name repeats)");
  const auto keys = document->find("keys");
  if (keys == document->end() || !keys->is_array()) return invalid("jwks", "no \"keys\" array");
  if (keys->size() > limits.max_keys) {
    return invalid("jwks", "more than " + std::to_string(limits.max_keys) + " keys");
  }
  JwkSet set;
  for (size_t i = 0; i < keys->size(); ++i) {
    const nlohmann::json& member = (*keys)[i];
    JwkParse parsed = parse_jwk(member, source);
    if (parsed.refuses_set) {
      return invalid("jwks.keys[" + std::to_string(i) + "]", parsed.reason);
    }
    if (parsed.key) {
      set.keys_.push_back(std::move(*parsed.key));
      continue;
    }
    std::string kid;
    if (member.is_object()) {
      if (const auto it = member.find("kid"); it != member.end() && it->is_string()) {
        kid = it->get<std::string>();
      }
    }
    set.skipped_.push_back(SkippedKey{i, std::move(kid), std::move(parsed.reason)});
  }
  return set;
}

}  // namespace archway::identity

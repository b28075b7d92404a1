#pragma once
// A token whose signature and claims passed: what the JWT filter forwards
// (forwardClaims), logs and caches (until expires_at).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/identity/jws_algorithm.h"

namespace archway::identity {

struct VerifiedToken {
  JwsAlgorithm alg = JwsAlgorithm::kRS256;
  std::string kid;  // of the key that verified it; empty if that key had none
  std::chrono::sys_seconds expires_at{};
  std::vector<std::string> scopes;  // from scope (space-separated) and scp
  nlohmann::json claims;            // the whole claim set, an object

  // A top-level claim as a request header value: a string as is, a number
  // in JSON notation, a bool as true/false. nullopt for a missing claim, an
  // object, an array or null (no encoding of structure into a header is
  // obvious enough to be safe), and for a string holding a control character
  // other than tab (it would split or smuggle a header).
  [[nodiscard]] std::optional<std::string> claim_as_header_value(std::string_view name) const;

  [[nodiscard]] bool has_scope(std::string_view scope) const;
};

}  // namespace archway::identity

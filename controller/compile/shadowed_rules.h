#pragma once
// Rules that can never match (issue 18, docs/status.md `Shadowed`): every
// request one of their matches accepts is taken first by an earlier match of
// another rule on the same host. Judged on the assembled routes with the
// proxy's own precedence (docs/routing.md §3), conservatively: a rule is
// reported only when coverage is certain (same path, the same number of
// header and query conditions, each implied), never on a guess about two
// different regular expressions.

#include <string>
#include <vector>

#include "controller/compile/translated.h"

namespace archway::controller::compile {

// One host's routes as the snapshot will hold them, in snapshot order, each
// with the object it came from (fallback routes are not listed: they only
// fill a host that lacks a catch-all, and never shadow anything).
struct PlacedRoute {
  const TranslatedObject* owner;
  const config::Route* route;
};
using PlacedHosts = std::vector<std::pair<std::string, std::vector<PlacedRoute>>>;

struct ShadowedRule {
  const TranslatedObject* owner;
  std::string rule_name;
  std::string message;  // names the rule (and object) that shadows it
};

// In owner order of first appearance, then rule order.
[[nodiscard]] std::vector<ShadowedRule> find_shadowed_rules(const PlacedHosts& hosts);

}  // namespace archway::controller::compile

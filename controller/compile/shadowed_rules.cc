#include "controller/compile/shadowed_rules.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "proxy/config/path_template.h"

namespace archway::controller::compile {
namespace {

using config::Match;
using config::PathMatchType;
using config::ValueMatch;
using config::ValueMatchType;

// Matches with the same key accept the same paths and rank alike on path
// (same type, same specificity); a match can only cover one of its own key
// (see find_shadowed_rules' comment for why no other path can).
std::optional<std::string> path_key(const config::PathMatch& path) {
  switch (path.type) {
    case PathMatchType::kExact:
      return "E " + path.value;
    case PathMatchType::kPathPrefix: {
      std::string prefix = path.value;  // "/foo/" is "/foo" (docs/routing.md §3)
      while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
      return "P " + prefix;
    }
    case PathMatchType::kRegularExpression:
      return "R " + path.value;
    case PathMatchType::kTemplate: {
      auto segments = config::parse_path_template(path.value);
      if (!segments.ok()) return std::nullopt;
      std::string key = "T ";
      for (const auto& s : *segments) key += s.capture ? std::string("/{}") : "/" + s.text;
      return key;
    }
  }
  return std::nullopt;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Every value `b` accepts, `a` accepts too.
bool value_implied(const ValueMatch& a, const ValueMatch& b) {
  switch (a.type) {
    case ValueMatchType::kPresent:
      return true;
    case ValueMatchType::kExact:
      return b.type == ValueMatchType::kExact && b.value == a.value;
    case ValueMatchType::kRegularExpression: {
      if (b.type == ValueMatchType::kRegularExpression) return b.value == a.value;
      if (b.type != ValueMatchType::kExact) return false;
      const RE2 re(a.value, RE2::Quiet);
      return re.ok() && RE2::FullMatch(b.value, re);
    }
  }
  return false;
}

// The same number of conditions (fewer would rank `a` after `b`, more would
// constrain a name `b` leaves free), each of `a`'s implied by `b`'s on the
// same name.
bool conditions_implied(const std::vector<ValueMatch>& a, const std::vector<ValueMatch>& b,
                        bool names_ignore_case) {
  if (a.size() != b.size()) return false;
  auto name = [&](const std::string& n) { return names_ignore_case ? lower(n) : n; };
  for (const auto& ca : a) {
    const auto it = std::find_if(
        b.begin(), b.end(), [&](const ValueMatch& cb) { return name(cb.name) == name(ca.name); });
    if (it == b.end() || !value_implied(ca, *it)) return false;
  }
  return true;
}

// A method list ranks before none, so `a` without one can only come first
// when `b` has none either; with one, it must list every method `b` does.
bool methods_implied(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty()) return b.empty();
  if (b.empty()) return false;
  return std::all_of(b.begin(), b.end(), [&](const std::string& m) {
    return std::find(a.begin(), a.end(), m) != a.end();
  });
}

struct Candidate {
  const PlacedRoute* placed;
  const Match* match;
};

// `a` (earlier in snapshot order, same path key) takes every request `b`
// would.
bool covers(const Candidate& a, const Candidate& b) {
  const config::Route& ra = *a.placed->route;
  const config::Route& rb = *b.placed->route;
  // A one-label wildcard route serves fewer hosts than a many-label one.
  if (ra.single_label_wildcard && !rb.single_label_wildcard) return false;
  // Version resolution can answer 400/406 instead of falling through:
  // judged only within one object, where the versioning is the same.
  if (ra.policies.versioning || rb.policies.versioning) {
    if (a.placed->owner != b.placed->owner) return false;
    if (a.match->version && a.match->version != b.match->version) return false;
  }
  return methods_implied(a.match->methods, b.match->methods) &&
         conditions_implied(a.match->headers, b.match->headers, true) &&
         conditions_implied(a.match->query_params, b.match->query_params, false);
}

std::string describe_rule(const PlacedRoute& shadowing, const PlacedRoute& shadowed) {
  std::string who = "rule \"" + shadowing.route->rule_name + "\"";
  if (shadowing.owner == shadowed.owner) return who + " of this " + shadowed.owner->kind;
  return who + " of " + shadowing.owner->kind + " " + shadowing.owner->key.to_string() + " (older)";
}

struct RuleTally {
  size_t order = 0;  // first appearance, for a stable output
  size_t matches = 0;
  size_t covered = 0;
  std::string message;
};

}  // namespace

// Why only the same path key: candidates are ranked by path type first, then
// by specificity within it (longer prefix, more literal template segments,
// regex first seen), then by condition counts, then snapshot order. A match
// ranked earlier with a different path either accepts a narrower set of paths
// (exact, longer prefix, more literals: it cannot cover) or belongs to a
// different type (a regex or template before a prefix), whose coverage would
// need regex containment; those are left unreported rather than guessed.
std::vector<ShadowedRule> find_shadowed_rules(const PlacedHosts& hosts) {
  using RuleKey = std::pair<const TranslatedObject*, std::string>;
  std::map<RuleKey, RuleTally> tally;
  for (const auto& [host, routes] : hosts) {
    std::map<std::string, std::vector<Candidate>> by_path;
    for (const auto& placed : routes) {
      RuleTally& t = tally[{placed.owner, placed.route->rule_name}];
      if (t.matches == 0 && t.order == 0) t.order = tally.size();
      for (const auto& m : placed.route->matches) {
        ++t.matches;
        const auto key = path_key(m.path);
        if (!key) continue;
        auto& group = by_path[*key];
        const Candidate b{&placed, &m};
        for (const auto& a : group) {
          if (a.placed->owner == placed.owner &&
              a.placed->route->rule_name == placed.route->rule_name) {
            continue;  // the rule's own other match: not another rule's shadow
          }
          if (!covers(a, b)) continue;
          ++t.covered;
          if (t.message.empty()) {
            t.message = "rule \"" + placed.route->rule_name + "\" can never match: on host \"" +
                        host + "\", " + describe_rule(*a.placed, placed) +
                        " is tried first and takes every request it would match";
          }
          break;
        }
        group.push_back(b);
      }
    }
  }
  std::vector<std::tuple<size_t, const TranslatedObject*, std::string, std::string>> found;
  for (auto& [key, t] : tally) {
    if (t.matches > 0 && t.covered == t.matches) {
      found.emplace_back(t.order, key.first, key.second, std::move(t.message));
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& x, const auto& y) { return std::get<0>(x) < std::get<0>(y); });
  std::vector<ShadowedRule> out;
  for (auto& [order, owner, rule, message] : found) {
    out.push_back(ShadowedRule{owner, std::move(rule), std::move(message)});
  }
  return out;
}

}  // namespace archway::controller::compile

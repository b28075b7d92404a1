// Rules that can never match (issue 18): reported with the rule that
// shadows them, conservatively (only certain coverage), and never changing
// what is served.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "controller/status/conditions.h"
#include "controller/status/route_conditions.h"
#include "tests/controller/compile_fixture.h"

namespace archway::controller {
namespace {

const std::string kService = testing::service_yaml("app", "10.96.0.1", "10.0.0.1");

// Each rule: name + its matches, all sent to the one Service.
std::string rule(const std::string& name, const std::string& matches) {
  return "{name: " + name + ", matches: [" + matches + "], backends: [{name: app, port: 80}]}";
}

TEST(ShadowedRules, Table) {
  struct Case {
    const char* name;
    std::vector<std::string> rules;
    std::vector<std::string> shadowed;  // rule names, in order
    const char* by = "";                // the shadowing rule named in the first message
  };
  const Case cases[] = {
      {"the same prefix twice (a trailing slash is the same prefix)",
       {rule("a", "{path: {type: PathPrefix, value: /x}}"),
        rule("b", "{path: {type: PathPrefix, value: /x/}}")},
       {"b"},
       "rule \"a\" of this APIRoute"},
      {"a longer prefix is not shadowed",
       {rule("a", "{path: {type: PathPrefix, value: /x}}"),
        rule("b", "{path: {type: PathPrefix, value: /x/y}}")},
       {}},
      {"a header that is only required to be present covers an exact value",
       {rule("a", "{path: {value: /x}, headers: [{name: v, type: Present}]}"),
        rule("b", "{path: {value: /x}, headers: [{name: V, type: Exact, value: \"2\"}]}")},
       {"b"},
       "rule \"a\""},
      {"an exact value does not cover presence",
       {rule("a", "{path: {value: /x}, headers: [{name: v, type: Exact, value: \"2\"}]}"),
        rule("b", "{path: {value: /x}, headers: [{name: v, type: Present}]}")},
       {}},
      {"a regular expression covers an exact value it matches",
       {rule("a",
             "{path: {value: /x}, headers: [{name: v, type: RegularExpression, value: "
             "\"[0-9]+\"}]}"),
        rule("b", "{path: {value: /x}, headers: [{name: v, type: Exact, value: \"42\"}]}"),
        rule("c", "{path: {value: /x}, headers: [{name: v, type: Exact, value: \"x42\"}]}")},
       {"b"}},
      {"more header conditions rank first, so the later rule still wins",
       {rule("a", "{path: {value: /x}}"),
        rule("b", "{path: {value: /x}, headers: [{name: v, type: Present}]}")},
       {}},
      {"a method list covering the later one's",
       {rule("a", "{path: {value: /x}, methods: [GET, POST]}"),
        rule("b", "{path: {value: /x}, methods: [GET]}")},
       {"b"}},
      {"no method list ranks after a method list",
       {rule("a", "{path: {value: /x}}"), rule("b", "{path: {value: /x}, methods: [GET]}")},
       {}},
      {"query presence covers an exact query value",
       {rule("a", "{path: {value: /x}, queryParams: [{name: q, type: Present}]}"),
        rule("b", "{path: {value: /x}, queryParams: [{name: q, value: \"1\"}]}")},
       {"b"}},
      {"query names are case-sensitive",
       {rule("a", "{path: {value: /x}, queryParams: [{name: Q, type: Present}]}"),
        rule("b", "{path: {value: /x}, queryParams: [{name: q, value: \"1\"}]}")},
       {}},
      {"templates that differ only in capture names",
       {rule("a", "{path: {type: Template, value: \"/o/{id}\"}}"),
        rule("b", "{path: {type: Template, value: \"/o/{order}\"}}")},
       {"b"}},
      {"the same regular expression twice",
       {rule("a", "{path: {type: RegularExpression, value: \"/r/.*\"}}"),
        rule("b", "{path: {type: RegularExpression, value: \"/r/.*\"}}")},
       {"b"}},
      {"two different regular expressions are not judged",
       {rule("a", "{path: {type: RegularExpression, value: \"/r/.*\"}}"),
        rule("b", "{path: {type: RegularExpression, value: \"/r/[a-z]*\"}}")},
       {}},
      {"a rule with one live match is not shadowed",
       {rule("a", "{path: {value: /x}}"), rule("b", "{path: {value: /x}}, {path: {value: /z}}")},
       {}},
      {"a rule's own repeated match does not shadow it",
       {rule("a", "{path: {value: /x}}, {path: {value: /x}}")},
       {}},
      {"each match covered by a different earlier rule",
       {rule("a", "{path: {value: /x}}"), rule("b", "{path: {value: /z}}"),
        rule("c", "{path: {value: /z}}, {path: {value: /x}}")},
       {"c"}},
  };
  for (const auto& c : cases) {
    std::string rules;
    for (const auto& r : c.rules) rules += (rules.empty() ? "" : ", ") + r;
    const auto result = testing::compile_rules(kService, rules);
    const auto& v = testing::route_verdict(result);
    EXPECT_TRUE(v.accepted) << c.name << ": " << v.accepted_message;
    ASSERT_EQ(v.shadowed_rules.size(), c.shadowed.size()) << c.name;
    for (size_t i = 0; i < c.shadowed.size(); ++i) {
      EXPECT_EQ(v.shadowed_rules[i].rfind("rule \"" + c.shadowed[i] + "\" can never match", 0), 0u)
          << c.name << ": " << v.shadowed_rules[i];
    }
    if (!c.shadowed.empty()) {
      EXPECT_NE(v.shadowed_rules[0].find(c.by), std::string::npos)
          << c.name << ": " << v.shadowed_rules[0];
    }
    // Still served as written: nothing is removed from the snapshot.
    size_t routes = 0;
    for (const auto& vh : result.snapshot.virtual_hosts) routes += vh.routes.size();
    EXPECT_EQ(routes, c.rules.size()) << c.name;
  }
}

std::string api_route(const std::string& name, const std::string& created,
                      const std::string& rules) {
  return "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: " + name +
         ", namespace: ns, generation: 1, creationTimestamp: \"" + created +
         "\"}\nspec: {hostnames: [a.example], rules: [" + rules + "]}\n";
}

TEST(ShadowedRules, AnOlderRouteShadowsANewerOnesRuleOnTheSameHostOnly) {
  const std::string yaml =
      kService +
      api_route("old", "2026-01-01T00:00:00Z",
                rule("any-version", "{path: {value: /x}, headers: [{name: v, type: Present}]}")) +
      api_route("new", "2026-02-01T00:00:00Z",
                rule("v2", "{path: {value: /x}, headers: [{name: v, value: \"2\"}]}") + ", " +
                    rule("rest", "{path: {value: /y}}"));
  const auto r = compile::compile(testing::state_from_yaml(yaml), testing::test_options(), {});
  const auto* newer = testing::find_verdict(r, "APIRoute", "new");
  const auto* older = testing::find_verdict(r, "APIRoute", "old");
  ASSERT_TRUE(newer && older);
  EXPECT_TRUE(newer->accepted) << "not a conflict: the matches differ";
  ASSERT_EQ(newer->shadowed_rules.size(), 1u);
  EXPECT_EQ(newer->shadowed_rules[0],
            "rule \"v2\" can never match: on host \"a.example\", rule \"any-version\" of APIRoute "
            "ns/old (older) is tried first and takes every request it would match");
  EXPECT_TRUE(older->shadowed_rules.empty());

  // On another host the older route takes nothing from it.
  std::string other = yaml;
  other.replace(other.rfind("a.example"), 9, "b.example");
  const auto r2 = compile::compile(testing::state_from_yaml(other), testing::test_options(), {});
  EXPECT_TRUE(testing::find_verdict(r2, "APIRoute", "new")->shadowed_rules.empty());
}

TEST(ShadowedRules, IngressPathsListedTwice) {
  const std::string yaml = kService + R"(
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: archway}
spec: {controller: archway.dev/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing, namespace: ns, generation: 1, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  ingressClassName: archway
  rules:
  - host: shop.example
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
      - {path: /api/, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
)";
  const auto r = compile::compile(testing::state_from_yaml(yaml), testing::test_options(), {});
  const auto* v = testing::find_verdict(r, "Ingress", "ing");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->shadowed_rules.size(), 1u);
  EXPECT_NE(v->shadowed_rules[0].find("rule \"rule-0-path-1\" can never match"), std::string::npos)
      << v->shadowed_rules[0];
  EXPECT_NE(v->shadowed_rules[0].find("rule \"rule-0-path-0\" of this Ingress"), std::string::npos);
}

TEST(ShadowedRules, AWarningConditionAndEventNotPartOfReady) {
  compile::ObjectVerdict v;
  v.kind = "APIRoute";
  v.key = {"ns", "r"};
  v.generation = 3;
  v.shadowed_rules = {"rule \"b\" can never match: x", "rule \"c\" can never match: y"};
  const auto s = status::route_status(v, {status::PushOutcome::State::kAcked, ""}, true);
  ASSERT_EQ(s.conditions.size(), 5u);
  EXPECT_EQ(s.conditions[3].type, "Ready");
  EXPECT_TRUE(s.conditions[3].status) << "a shadowed rule does not make the route unready";
  EXPECT_EQ(s.conditions[4].type, "Shadowed");
  EXPECT_TRUE(s.conditions[4].status);
  EXPECT_EQ(s.conditions[4].reason, "ShadowedRule");
  EXPECT_EQ(s.conditions[4].message,
            "rule \"b\" can never match: x; rule \"c\" can never match: y");
  const auto events = status::warning_events(v, {status::PushOutcome::State::kAcked, ""}, true);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, "Warning");
  EXPECT_EQ(events[0].reason, "ShadowedRule");

  v.shadowed_rules.clear();
  EXPECT_EQ(
      status::route_status(v, {status::PushOutcome::State::kAcked, ""}, true).conditions.size(),
      4u);
}

}  // namespace
}  // namespace archway::controller

// kubectl-archway status: APIRoute conditions as the controller wrote them,
// Ingress reasons from the same compile.

#include "controller/cli/status_report.h"

#include <gtest/gtest.h>

#include "../controller/compile_fixture.h"

namespace archway::controller::cli {
namespace {

TEST(Status, ListsWhatIsNotReadyWithReasons) {
  const std::string objects =
      testing::service_yaml("blue", "10.0.0.1", "10.1.0.1") +
      "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: good, namespace: "
      "ns, generation: 2}\nspec: {hostnames: [a.com], rules: [{name: r, backends: [{name: blue, "
      "port: 80}]}]}\nstatus:\n  conditions:\n  - {type: Accepted, status: \"True\", reason: "
      "Accepted, observedGeneration: 2}\n  - {type: Ready, status: \"True\", reason: Ready, "
      "observedGeneration: 2}\n"
      "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: bad, namespace: "
      "ns, generation: 1}\nspec: {hostnames: [b.com], rules: [{name: r, matches: [{path: {type: "
      "RegularExpression, value: \"/(x\"}}], backends: [{name: blue, port: 80}]}]}\nstatus:\n  "
      "conditions:\n  - {type: Accepted, status: \"False\", reason: InvalidRegex, message: "
      "\"spec.rules[0].matches[0].path.value: invalid\"}\n  - {type: Ready, status: \"False\", "
      "reason: NotAccepted, message: left out}\n"
      "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: stale, namespace: "
      "ns, generation: 3}\nspec: {hostnames: [c.com], rules: [{name: r, backends: [{name: blue, "
      "port: 80}]}]}\nstatus:\n  conditions:\n  - {type: Ready, status: \"True\", reason: Ready, "
      "observedGeneration: 2}\n"
      "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ghost, namespace: "
      "ns, generation: 1}\nspec:\n  ingressClassName: archway\n  rules:\n  - host: d.com\n    "
      "http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nope, port: {number: "
      "80}}}}]}\nstatus: {loadBalancer: {ingress: [{ip: 127.0.0.1}]}}\n"
      "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: theirs, namespace: "
      "ns, generation: 1}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: e.com\n    "
      "http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nope, port: {number: "
      "80}}}}]}\n";
  const auto rows = not_ready(testing::state_from_yaml(objects), testing::test_options());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].name, "bad");
  EXPECT_EQ(rows[0].condition, "Accepted");
  EXPECT_EQ(rows[0].reason, "InvalidRegex");
  EXPECT_EQ(rows[1].name, "bad");
  EXPECT_EQ(rows[1].condition, "Ready");
  EXPECT_EQ(rows[1].reason, "NotAccepted");
  EXPECT_EQ(rows[2].name, "stale");
  EXPECT_EQ(rows[2].reason, "StaleStatus");
  EXPECT_EQ(rows[3].kind, "Ingress");
  EXPECT_EQ(rows[3].name, "ghost");
  EXPECT_EQ(rows[3].condition, "ResolvedRefs");
  EXPECT_EQ(rows[3].reason, "BackendNotFound");
  EXPECT_NE(rows[3].message.find("ns/nope"), std::string::npos);
}

}  // namespace
}  // namespace archway::controller::cli

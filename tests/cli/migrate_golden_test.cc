// kubectl-archway migrate: one golden file per case. Input Ingress
// documents (tests/testdata/cli/migrate_<case>.in.yaml) → the APIRoute YAML
// and warnings (migrate_<case>.out.yaml). ARCHWAY_UPDATE_GOLDEN=1 rewrites
// the goldens; review the diff.

#include "controller/cli/migrate.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "../controller/compile_fixture.h"
#include "proxy/config/yaml_to_json.h"

namespace archway::controller::cli {
namespace {

std::string render(const std::string& input) {
  std::vector<nlohmann::json> docs;
  for (const auto& doc : YAML::LoadAll(input)) {
    if (doc.IsMap()) docs.push_back(testing::yaml_to_json(doc));
  }
  const auto result = migrate(docs, MigrateOptions{});
  std::string out = "# ok: " + std::string(result.ok ? "true" : "false") + "\n";
  for (const auto& w : result.warnings) out += "# warning: " + w + "\n";
  return out + migrate_yaml(result);
}

class MigrateGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(MigrateGolden, MatchesTheGoldenFile) {
  const std::string base = std::string(ARCHWAY_TESTDATA) + "/cli/migrate_" + GetParam();
  const std::string got = render(testing::read_file(base + ".in.yaml"));
  if (std::getenv("ARCHWAY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(base + ".out.yaml", std::ios::binary) << got;
  }
  EXPECT_EQ(got, testing::read_file(base + ".out.yaml"));
  // What migrate prints is YAML that reads back as APIRoutes.
  std::vector<nlohmann::json> routes;
  for (const auto& doc : YAML::LoadAll(got)) {
    if (!doc.IsMap()) continue;
    const auto json = testing::yaml_to_json(doc);
    EXPECT_EQ(json.value("kind", ""), "APIRoute");
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, MigrateGolden,
                         ::testing::Values("hosts_and_default_backend", "path_types",
                                           "several_documents", "refused"));

TEST(Migrate, RendersTypedRuleFieldsAndNamesWhatItCannot) {
  // What the Ingress compile may produce once it imports annotations
  // (issue 19): rendered from the typed fields, whatever produced them.
  std::vector<nlohmann::json> docs = {nlohmann::json::parse(R"({
    "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
    "metadata": {"name": "x", "namespace": "ns"},
    "spec": {"ingressClassName": "nginx", "rules": [{"host": "a.com", "http": {"paths": [
      {"path": "/", "pathType": "Prefix",
       "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})")};
  const auto result = migrate(docs, MigrateOptions{"archway"});
  ASSERT_TRUE(result.ok);
  ASSERT_EQ(result.documents.size(), 1u);
  EXPECT_EQ(result.documents[0].api_route["spec"]["ingressClassName"], "archway");
  EXPECT_EQ(result.documents[0].api_route["spec"]["rules"][0]["backends"][0]["port"], 80);
  EXPECT_TRUE(result.warnings.empty());
}

}  // namespace
}  // namespace archway::controller::cli

namespace archway::controller::cli {
namespace {

// What the Ingress compile may produce once it imports annotations (issue
// 19 item 1: rewrite-target, canary weights, backend-protocol, timeouts,
// CORS, ...): rendered from the typed fields, whatever produced them; a
// field without an APIRoute rendering is named, not dropped.
TEST(Migrate, RendersTypedRuleFieldsAndNamesTheRest) {
  config::Snapshot snapshot;
  config::Cluster grpc;
  grpc.name = "ns/grpc/50051/h2c";
  grpc.protocol = config::ClusterProtocol::kH2c;
  grpc.connect_timeout = config::Duration{5000};
  snapshot.clusters = {grpc};
  config::Route route;
  route.name = "ns/x/r";
  route.route_name = "ns/x";
  route.rule_name = "r";
  config::Match match;
  match.path = {config::PathMatchType::kRegularExpression, "/api/(.*)"};
  match.headers = {{"x-canary", config::ValueMatchType::kExact, "always"}};
  route.matches = {match};
  route.backends = {{"ns/grpc/50051/h2c", 80}, {"ns/web/80", 20}};
  route.rewrite.full_path = "/{1}";
  route.timeouts.request = config::Duration{30000};
  route.request_headers.set = {{"X-Forwarded-Prefix", "/api"}};
  route.policies.cors = config::Cors{};
  route.policies.cors->allow_origins = {"https://a.example"};
  route.policies.auth = config::Auth{};  // no APIRoute rendering here
  std::vector<std::string> notes;
  const OrderedJson rule = render_rule(route, snapshot, notes);
  EXPECT_EQ(rule["matches"][0]["path"]["type"], "RegularExpression");
  EXPECT_EQ(rule["matches"][0]["headers"][0]["value"], "always");
  EXPECT_EQ(rule["backends"][0]["protocol"], "H2C");
  EXPECT_EQ(rule["backends"][0]["weight"], 80);
  EXPECT_EQ(rule["backends"][1]["name"], "web");
  EXPECT_EQ(rule["timeouts"]["connect"], "5s");
  EXPECT_EQ(rule["timeouts"]["request"], "30s");
  EXPECT_EQ(rule["rewrite"]["fullPath"], "/{1}");
  EXPECT_EQ(rule["requestHeaders"]["set"][0]["name"], "X-Forwarded-Prefix");
  EXPECT_EQ(rule["cors"]["allowOrigins"][0], "https://a.example");
  EXPECT_FALSE(rule.contains("auth"));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].rfind("rule r: not rendered (no APIRoute rendering for this field yet): "
                           "policies.auth = ",
                           0),
            0u)
      << notes[0];
}

}  // namespace
}  // namespace archway::controller::cli

// Golden snapshot documents: YAML and JSON spellings decode to the same
// Snapshot, to_json is canonical and round-trips. Set ARCHWAY_UPDATE_GOLDEN=1
// to rewrite tests/testdata/snapshots/*.canonical.json after a schema change.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

std::string read_file(const std::string& name) {
  std::ifstream in(std::string(ARCHWAY_TESTDATA) + "/snapshots/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Snapshot parse_ok(std::string_view text) {
  auto parsed = parse_snapshot(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().to_string());
  return parsed.ok() ? parsed->snapshot() : Snapshot{};
}

TEST(SnapshotParserTest, YamlAndJsonSpellingsAreTheSameSnapshot) {
  const Snapshot from_yaml = parse_ok(read_file("basic.yaml"));
  const Snapshot from_json = parse_ok(read_file("basic.json"));
  EXPECT_EQ(from_yaml, from_json);
}

TEST(SnapshotParserTest, DecodesEveryField) {
  const Snapshot s = parse_ok(read_file("basic.yaml"));
  EXPECT_EQ(s.version, "2024-06-01.1");
  ASSERT_EQ(s.listeners.size(), 2u);
  EXPECT_EQ(s.listeners[1].address, "::");
  EXPECT_EQ(s.listeners[1].port, 8443);
  EXPECT_TRUE(s.listeners[1].tls);
  ASSERT_EQ(s.virtual_hosts.size(), 2u);
  const Route& get = s.virtual_hosts[0].routes[0];
  EXPECT_EQ(get.route_name, "shop/orders");
  EXPECT_EQ(get.rule_name, "get-order");
  EXPECT_EQ(get.matches[0].path.type, PathMatchType::kTemplate);
  EXPECT_EQ(get.matches[0].methods, (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(get.matches[0].headers[0].value, "2");
  EXPECT_EQ(get.matches[0].query_params[0].type, ValueMatchType::kPresent);
  EXPECT_EQ(get.backends[1].cluster, "orders-canary");
  EXPECT_EQ(get.backends[1].weight, 10u);
  EXPECT_EQ(get.rewrite.full_path, "/orders/{id}");
  EXPECT_EQ(get.rewrite.hostname, "orders.internal");
  EXPECT_EQ(get.request_headers.set[0].name, "X-Env");
  EXPECT_EQ(get.request_headers.remove, std::vector<std::string>{"Cookie"});
  EXPECT_EQ(get.timeouts.request, Duration(15000));
  EXPECT_EQ(get.timeouts.backend_request, Duration(1500));
  EXPECT_EQ(get.timeouts.idle, Duration(5400000));
  ASSERT_TRUE(get.policies.rate_limit.has_value());
  EXPECT_EQ(get.policies.rate_limit->requests, 60u);
  const Route& list = s.virtual_hosts[0].routes[1];
  EXPECT_EQ(list.backends[0].weight, 1u);  // default
  EXPECT_EQ(list.matches[1].path.type, PathMatchType::kRegularExpression);
  const Route& redirect = s.virtual_hosts[0].routes[2];
  ASSERT_TRUE(redirect.redirect.has_value());
  EXPECT_EQ(redirect.redirect->status_code, 301);
  EXPECT_EQ(redirect.redirect->port, 443);
  const Route& teapot = s.virtual_hosts[1].routes[0];
  ASSERT_TRUE(teapot.direct_response.has_value());
  EXPECT_EQ(teapot.direct_response->status, 418);
  EXPECT_EQ(teapot.direct_response->body, "short and stout");
  ASSERT_EQ(s.clusters.size(), 2u);
  EXPECT_EQ(s.clusters[0].protocol, ClusterProtocol::kH2c);
  EXPECT_EQ(s.clusters[0].connect_timeout, Duration(250));
  EXPECT_EQ(s.clusters[1].protocol, ClusterProtocol::kHttps);
  EXPECT_FALSE(s.clusters[1].tls_verify);
  EXPECT_EQ(s.clusters[1].tls_server_name, "orders.shop.svc");
  EXPECT_EQ(s.limits.max_header_bytes, 32768u);
  EXPECT_EQ(s.limits.max_header_count, 100u);  // default kept
  EXPECT_EQ(s.limits.max_request_body_bytes, 10485760u);
  EXPECT_EQ(s.limits.header_timeout, Duration(5000));
}

TEST(SnapshotParserTest, ToJsonIsCanonicalAndRoundTrips) {
  const Snapshot s = parse_ok(read_file("basic.yaml"));
  const std::string json = to_json(s);
  if (std::getenv("ARCHWAY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(std::string(ARCHWAY_TESTDATA) + "/snapshots/basic.canonical.json")
        << json << "\n";
  }
  EXPECT_EQ(json + "\n", read_file("basic.canonical.json"));
  EXPECT_EQ(parse_ok(json), s);
  EXPECT_EQ(to_json(parse_ok(json)), json);
}

TEST(SnapshotParserTest, SingleLabelWildcardRoundTripsAndIsABoolean) {
  const std::string doc =
      "version: '1'\nclusters: [{name: c}]\nvirtualHosts:\n"
      "- {name: w, domains: ['*.a.com'], routes: [{name: r, singleLabelWildcard: true, "
      "backends: [{cluster: c}]}, {name: s, backends: [{cluster: c}]}]}\n";
  const Snapshot s = parse_ok(doc);
  ASSERT_EQ(s.virtual_hosts[0].routes.size(), 2u);
  EXPECT_TRUE(s.virtual_hosts[0].routes[0].single_label_wildcard);
  EXPECT_FALSE(s.virtual_hosts[0].routes[1].single_label_wildcard);
  const std::string json = to_json(s);
  EXPECT_EQ(parse_ok(json), s);
  // Written only when true, so snapshots without Ingress wildcards are unchanged.
  EXPECT_EQ(json.find("singleLabelWildcard"), json.rfind("singleLabelWildcard"));
  auto bad = parse_snapshot_yaml(
      "version: '1'\nclusters: [{name: c}]\nvirtualHosts:\n"
      "- {name: w, domains: ['*.a.com'], routes: [{name: r, singleLabelWildcard: 'yes', "
      "backends: [{cluster: c}]}]}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().to_string().find("singleLabelWildcard"), std::string::npos)
      << bad.error().to_string();
}

TEST(SnapshotParserTest, MinimalSnapshotTakesDefaults) {
  const Snapshot s = parse_ok(R"({"version": "1"})");
  Snapshot expected;
  expected.version = "1";
  EXPECT_EQ(s, expected);
  EXPECT_EQ(parse_ok(to_json(s)), s);
}

TEST(SnapshotParserTest, ParseSnapshotChoosesSyntaxByFirstCharacter) {
  EXPECT_TRUE(parse_snapshot("  \n{\"version\": \"1\"}").ok());
  EXPECT_TRUE(parse_snapshot("version: \"1\"\n").ok());
  // YAML flow mappings start with '{' too and are valid JSON-ish; a YAML-only
  // document after whitespace goes to the YAML parser.
  EXPECT_FALSE(parse_snapshot_json("version: '1'").ok());
}

TEST(SnapshotParserTest, YamlScalarsFollowTheCoreSchema) {
  // Quoted "8080" is a string, so the integer field rejects it.
  auto quoted = parse_snapshot_yaml("version: '1'\nlisteners: [{name: a, port: '8080'}]\n");
  ASSERT_FALSE(quoted.ok());
  EXPECT_EQ(quoted.error().to_string(), "listeners[0].port: expected integer");
  // Plain 1 is an integer, so the string field rejects it.
  auto plain = parse_snapshot_yaml("version: 1\n");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().to_string(), "version: expected string");
  auto boolean = parse_snapshot_yaml(
      "version: v\nlisteners: [{name: a, port: 1, tls: yes}]\n");  // "yes" is not a boolean
  ASSERT_FALSE(boolean.ok());
  EXPECT_EQ(boolean.error().to_string(), "listeners[0].tls: expected boolean");
}

}  // namespace
}  // namespace archway::config

// A cluster's loadBalancer and its endpoints' weights in a whole snapshot:
// errors name the cluster's field, and both round-trip through to_json
// (weight 1 and an absent loadBalancer stay out of the canonical form, so
// snapshots written before them serialise as before).

#include <gtest/gtest.h>

#include "proxy/config/json_decoder.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

Json snapshot_with(const Json& cluster_fields, const Json& endpoint_fields = Json::object()) {
  Json endpoint = {{"address", "10.0.0.1"}, {"port", 80}};
  endpoint.update(endpoint_fields);
  Json cluster = {{"name", "orders"}, {"endpoints", {endpoint}}};
  cluster.update(cluster_fields);
  return {{"version", "1"},
          {"listeners", {{{"name", "http"}, {"port", 8080}}}},
          {"clusters", {cluster}},
          {"virtualHosts",
           {{{"name", "api"},
             {"domains", {"*"}},
             {"routes", {{{"name", "r"}, {"backends", {{{"cluster", "orders"}}}}}}}}}}};
}

std::string parse_error(const Json& snapshot) {
  auto parsed = parse_snapshot_json(snapshot.dump());
  return parsed.ok() ? "" : parsed.error().to_string();
}

TEST(SnapshotLoadBalancer, ErrorsNameTheClusterField) {
  struct Case {
    Json cluster;
    Json endpoint;
    std::string want;
  } cases[] = {
      {{{"loadBalancer", {{"policy", "RoundRobin"}}}}, Json::object(), ""},
      {Json::object(), {{"weight", 1000}}, ""},
      {{{"loadBalancer", {{"policy", "ConsistentHash"}}}},
       Json::object(),
       "clusters[0].loadBalancer.hashOn: is required with policy ConsistentHash"},
      {{{"loadBalancer", {{"policy", "Fastest"}}}},
       Json::object(),
       "clusters[0].loadBalancer.policy: must be one of LeastRequest, RoundRobin, ConsistentHash"},
      {Json::object(),
       {{"weight", 0}},
       "clusters[0].endpoints[0].weight: must be between 1 and 1000"},
      {Json::object(),
       {{"weight", 1001}},
       "clusters[0].endpoints[0].weight: must be between 1 and 1000"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_error(snapshot_with(c.cluster, c.endpoint)), c.want) << c.cluster.dump();
  }
}

TEST(SnapshotLoadBalancer, RoundTripsAndDefaultsStayOut) {
  const Json lb = {{"policy", "ConsistentHash"},
                   {"hashOn", {{"cookie", {{"name", "lb"}, {"ttl", "1h"}, {"path", "/"}}}}}};
  auto parsed = parse_snapshot_json(snapshot_with({{"loadBalancer", lb}}, {{"weight", 3}}).dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  const Cluster& cluster = parsed->snapshot().clusters.at(0);
  ASSERT_TRUE(cluster.load_balancer);
  EXPECT_EQ(cluster.load_balancer->policy, BalancerPolicy::kConsistentHash);
  EXPECT_EQ(cluster.endpoints.at(0).weight, 3u);
  const Json out = Json::parse(to_json(parsed->snapshot()));
  EXPECT_EQ(out["clusters"][0]["loadBalancer"], lb);
  EXPECT_EQ(out["clusters"][0]["endpoints"][0]["weight"], 3);

  auto plain = parse_snapshot_json(snapshot_with(Json::object()).dump());
  ASSERT_TRUE(plain.ok());
  const Json plain_out = Json::parse(to_json(plain->snapshot()));
  EXPECT_FALSE(plain_out["clusters"][0].contains("loadBalancer"));
  EXPECT_FALSE(plain_out["clusters"][0]["endpoints"][0].contains("weight"));
}

}  // namespace
}  // namespace archway::config

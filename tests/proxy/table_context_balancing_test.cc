// Each cluster of a compiled table gets the balancer its snapshot asks for
// (docs/resilience.md "Balancing"): least request when loadBalancer is
// absent, a Maglev table for ConsistentHash, the endpoints' weights; a
// cluster without endpoints gets none (its requests are answered 503).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "proxy/config/snapshot_parser.h"
#include "proxy/exchange/table_context.h"

namespace archway {
namespace {

using Json = nlohmann::json;

TEST(TableContextBalancing, EachClusterGetsItsPolicy) {
  const Json endpoints = {{{"address", "127.0.0.1"}, {"port", 9001}, {"weight", 3}},
                          {{"address", "127.0.0.1"}, {"port", 9002}}};
  const Json doc = {
      {"version", "1"},
      {"listeners", {{{"name", "http"}, {"port", 8080}}}},
      {"clusters",
       {{{"name", "plain"}, {"endpoints", endpoints}},
        {{"name", "turns"}, {"endpoints", endpoints}, {"loadBalancer", {{"policy", "RoundRobin"}}}},
        {{"name", "hashed"},
         {"endpoints", endpoints},
         {"loadBalancer", {{"policy", "ConsistentHash"}, {"hashOn", {{"header", "x-user"}}}}}},
        {{"name", "empty"}, {"endpoints", Json::array()}}}},
      {"virtualHosts",
       {{{"name", "v"},
         {"domains", {"*"}},
         {"routes",
          {{{"name", "a"}, {"backends", {{{"cluster", "plain"}}}}},
           {{"name", "b"}, {"backends", {{{"cluster", "turns"}}}}},
           {{"name", "c"}, {"backends", {{{"cluster", "hashed"}}}}},
           {{"name", "d"}, {"backends", {{{"cluster", "empty"}}}}}}}}}}};
  auto parsed = config::parse_snapshot_json(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  auto context = exchange::build_table_context(*parsed, 1);
  ASSERT_TRUE(context.ok()) << context.error().to_string();
  const auto& clusters = (*context)->clusters;

  const auto& plain = *clusters.at("plain").balancer;
  EXPECT_EQ(plain.policy(), balancing::Policy::kLeastRequest);
  EXPECT_EQ(plain.weights(), (std::vector<uint32_t>{3, 1}));
  EXPECT_TRUE(plain.maglev().empty());

  EXPECT_EQ(clusters.at("turns").balancer->policy(), balancing::Policy::kRoundRobin);

  const auto& hashed = *clusters.at("hashed").balancer;
  EXPECT_EQ(hashed.policy(), balancing::Policy::kConsistentHash);
  ASSERT_EQ(hashed.maglev().size(), balancing::MaglevTable::kDefaultSize);
  // Weights 3:1 hold in the table too.
  size_t first = 0;
  for (uint32_t e : hashed.maglev().entries()) first += e == 0;
  EXPECT_NEAR(static_cast<double>(first) / hashed.maglev().size(), 0.75, 0.02);

  EXPECT_EQ(clusters.at("empty").balancer, nullptr);
}

}  // namespace
}  // namespace archway

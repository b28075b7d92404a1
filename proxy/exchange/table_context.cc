#include "proxy/exchange/table_context.h"

#include <boost/asio/io_context.hpp>

#include "proxy/exchange/cluster_resilience.h"
#include "proxy/filters/registry.h"
#include "proxy/tls/client_tls.h"

namespace archway::exchange {
namespace {

balancing::Policy balancing_policy(const config::Cluster& cluster) {
  if (!cluster.load_balancer) return balancing::Policy::kLeastRequest;
  switch (cluster.load_balancer->policy) {
    case config::BalancerPolicy::kRoundRobin:
      return balancing::Policy::kRoundRobin;
    case config::BalancerPolicy::kConsistentHash:
      return balancing::Policy::kConsistentHash;
    case config::BalancerPolicy::kLeastRequest:
      break;
  }
  return balancing::Policy::kLeastRequest;
}

// Endpoints are named as the snapshot writes them ("10.0.0.1:8080"), so
// every replica builds the same Maglev table for the same endpoints.
std::unique_ptr<const balancing::Balancer> make_balancer(const config::Cluster& cluster) {
  std::vector<std::string> names;
  std::vector<uint32_t> weights;
  for (const auto& ep : cluster.endpoints) {
    names.push_back(ep.address + ":" + std::to_string(ep.port));
    weights.push_back(ep.weight);
  }
  return std::make_unique<const balancing::Balancer>(balancing_policy(cluster), names,
                                                     std::move(weights));
}

}  // namespace

Result<std::shared_ptr<const TableContext>> build_table_context(
    const config::ValidatedSnapshot& snapshot, uint64_t generation) {
  filters::SharedPolicyState fresh;
  return build_table_context_with_state(snapshot, generation, fresh);
}

Result<std::shared_ptr<const TableContext>> build_table_context_with_state(
    const config::ValidatedSnapshot& snapshot, uint64_t generation,
    filters::SharedPolicyState& shared) {
  auto table = routing::RouteTable::compile(snapshot);
  if (!table.ok()) return table.error();
  auto ctx = std::make_shared<TableContext>();
  ctx->table = std::move(table).value();
  ctx->generation = generation;
  // Compiled once here, for startup and every swap alike.
  ctx->chains.reserve(ctx->table->routes().size());
  for (const routing::CompiledRoute& route : ctx->table->routes()) {
    ctx->chains.push_back(filters::compile_chain(route.route, shared));
    if (const uint64_t fingerprint = filters::route_cache_fingerprint(route.route)) {
      ctx->cache_fingerprints.insert(fingerprint);
    }
  }
  boost::asio::io_context resolver_io;
  boost::asio::ip::tcp::resolver resolver(resolver_io);
  const auto& clusters = ctx->snapshot().clusters;
  const auto policies = cluster_policies(ctx->snapshot());
  for (size_t i = 0; i < clusters.size(); ++i) {
    auto& info = ctx->clusters[clusters[i].name];
    info.cluster = &clusters[i];
    if (clusters[i].protocol == config::ClusterProtocol::kHttps) {
      auto ctx_or = tls::make_client_context(clusters[i], snapshot.trust_anchors(i));
      if (!ctx_or.ok()) return ctx_or.error();
      info.client_tls = std::move(ctx_or).value();
    }
    for (size_t j = 0; j < clusters[i].endpoints.size(); ++j) {
      const auto& ep = clusters[i].endpoints[j];
      boost::system::error_code ec;
      auto addr = boost::asio::ip::make_address(ep.address, ec);
      if (!ec) {
        info.endpoints.emplace_back(addr, ep.port);
        continue;
      }
      auto results = resolver.resolve(ep.address, std::to_string(ep.port), ec);
      if (ec || results.empty()) {
        return invalid(
            "clusters[" + std::to_string(i) + "].endpoints[" + std::to_string(j) + "].address",
            "cannot resolve " + ep.address + ": " + ec.message());
      }
      info.endpoints.push_back(results.begin()->endpoint());
    }
    if (!info.endpoints.empty()) info.balancer = make_balancer(clusters[i]);
    if (auto policy = policies.find(clusters[i].name); policy != policies.end()) {
      std::vector<std::string> names;
      for (const auto& ep : info.endpoints) {
        names.push_back(ep.address().to_string() + ":" + std::to_string(ep.port()));
      }
      info.resilience = shared.clusters.obtain(clusters[i].name, names, policy->second.limits,
                                               policy->second.outlier, policy->second.retries,
                                               policy->second.health);
    }
  }
  auto tls = tls::ServerTls::create(snapshot);
  if (!tls.ok()) return tls.error();
  ctx->tls = std::move(tls).value();
  return std::shared_ptr<const TableContext>(std::move(ctx));
}

}  // namespace archway::exchange

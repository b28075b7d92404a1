#pragma once
// Everything a worker derives from one accepted snapshot, compiled once on
// the control thread and shared read-only by all workers
// (std::shared_ptr<const TableContext> crosses the swap boundary; STYLE.md
// habit 11). A request and a connection's TLS handshake pin the context they
// started with, so a swap never changes them mid-flight.

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/result.h"
#include "proxy/balancing/balancer.h"
#include "proxy/config/snapshot.h"
#include "proxy/config/validated_snapshot.h"
#include "proxy/filters/filter_chain.h"
#include "proxy/filters/shared_policy_state.h"
#include "proxy/resilience/cluster_states.h"
#include "proxy/routing/route_table.h"
#include "proxy/tls/server_tls.h"

namespace archway::exchange {

struct TableContext {
  std::shared_ptr<const routing::RouteTable> table;
  uint64_t generation = 0;  // increases by one per accepted snapshot
  // Clusters by name with endpoints resolved once here (a host name in an
  // endpoint is looked up at compile, never on a worker).
  struct ClusterInfo {
    const config::Cluster* cluster = nullptr;  // points into table->snapshot()
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    tls::SslCtxPtr client_tls;  // HTTPS clusters: verification and ALPN
    // Circuit-breaker limits and counts, outlier detection; shared with
    // every worker (docs/resilience.md).
    resilience::ClusterResilience resilience;
    // Endpoint choice (docs/resilience.md "Balancing"), with the requests
    // in flight per endpoint that every worker counts into. Set for every
    // cluster with endpoints.
    std::unique_ptr<const balancing::Balancer> balancer;
  };
  std::unordered_map<std::string, ClusterInfo> clusters;
  // Each route's filter chain, by CompiledRoute::index (an index, not a
  // hash: found in O(1) per request). An empty chain is skipped.
  std::vector<filters::CompiledChain> chains;
  // The cache fingerprints of this table's cached routes: after the swap,
  // the store keeps only their entries (cache::Store::retain).
  std::unordered_set<uint64_t> cache_fingerprints;
  // TLS contexts for this table's virtual hosts; null when none has a cert.
  std::unique_ptr<const tls::ServerTls> tls;

  [[nodiscard]] const config::Snapshot& snapshot() const { return table->snapshot(); }
  [[nodiscard]] const config::Limits& limits() const { return snapshot().limits; }
  [[nodiscard]] const filters::CompiledChain& chain(const routing::CompiledRoute& route) const {
    return chains[route.index];
  }
};

// Compiles the route table and builds the TLS contexts from the material
// validation already parsed. Off the hot path.
// Uses a fresh policy state (tests, tools).
[[nodiscard]] Result<std::shared_ptr<const TableContext>> build_table_context(
    const config::ValidatedSnapshot& snapshot, uint64_t generation);
// The same with the process's policy state (filters/shared_policy_state.h),
// which the server keeps across swaps. Not an overload, so that
// &build_table_context names one function.
[[nodiscard]] Result<std::shared_ptr<const TableContext>> build_table_context_with_state(
    const config::ValidatedSnapshot& snapshot, uint64_t generation,
    filters::SharedPolicyState& shared);

}  // namespace archway::exchange

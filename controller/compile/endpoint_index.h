#pragma once
// EndpointSlices by Service, and the last compile step that fills each
// cluster's endpoints from them. Kept apart from translation so that an
// EndpointSlice change costs one lookup per cluster, never a route's
// translation, and so that finding a Service's slices is one map lookup
// instead of a scan of the namespace (quadratic at 10k Services).

#include <map>
#include <string>
#include <vector>

#include "controller/compile/translated.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

// CompileOptions::endpoint_address_map (development only; usually empty).
using AddressMap = std::map<std::string, std::string>;

class EndpointIndex {
 public:
  // Indexes by the slices' kubernetes.io/service-name label; `state` must
  // outlive the index.
  explicit EndpointIndex(const ClusterState& state);

  // Ready endpoints of every slice labelled for source.service, on the slice
  // port named source.port_name, sorted and unique.
  [[nodiscard]] std::vector<config::Endpoint> endpoints(const EndpointSource& source,
                                                        const AddressMap& address_map) const;

 private:
  std::map<ObjectKey, std::vector<const nlohmann::json*>> by_service_;  // {ns, service}
};

// Sets the endpoints of every cluster with a source; a cluster without one
// (a Service that is missing, or not permitted) keeps none.
void fill_endpoints(std::vector<config::Cluster>& clusters,
                    const std::map<std::string, EndpointSource>& sources,
                    const EndpointIndex& index, const AddressMap& address_map);

}  // namespace archway::controller::compile

#pragma once
// Ingress status.loadBalancer addresses: --publish-address wins; otherwise the
// --publish-service Service's own load-balancer status, externalIPs, then
// its ClusterIP. Pure.

#include <string>
#include <vector>

#include "controller/app/options.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::app {

[[nodiscard]] std::vector<std::string> publish_addresses(const AppOptions& options,
                                                         const ClusterState& state);

}  // namespace archway::controller::app

#pragma once
// The plugin's one network edge: LIST calls, through the user's
// kubeconfig, of the kinds the controller's informers watch
// (informer/kinds.h), then a GET of each Secret the routes name (as the
// controller's secret fetcher does), into a ClusterState. Nothing is written.

#include <string>
#include <vector>

#include "common/result.h"
#include "controller/k8s/kube_client.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::cli {

struct ClusterRead {
  ClusterState state;
  std::vector<std::string> warnings;  // e.g. Secrets not readable (403)
};

// `ns` empty: every namespace. A 403 on a Secret is a warning (compile then
// runs without it: it reads as missing); a 404 on an optional CRD
// (APIRoute, ReferenceGrant) means none; any other failure is an error.
[[nodiscard]] Result<ClusterRead> read_cluster(k8s::KubeClient& client, const std::string& ns);

// The kubeconfig path kubectl would use: `flag`, else the first existing
// entry of $KUBECONFIG, else ~/.kube/config.
[[nodiscard]] std::string kubeconfig_path(const std::string& flag);

}  // namespace archway::controller::cli

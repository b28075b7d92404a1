#pragma once
// `kubectl archway status`: the APIRoutes and Ingresses of this controller
// that are not Ready, with their reasons. APIRoutes: their
// status.conditions as the controller wrote them (docs/status.md).
// Ingresses have no conditions; the reasons the controller sends as
// Warning Events come from the same pure compile run here, and a served
// Ingress has status.loadBalancer.ingress. Pure.

#include <string>
#include <vector>

#include "controller/cli/yaml_writer.h"
#include "controller/compile/compile.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::cli {

struct StatusRow {
  std::string kind;  // APIRoute | Ingress
  std::string ns;
  std::string name;
  std::string condition;  // Accepted | ResolvedRefs | Programmed | Ready
  std::string reason;
  std::string message;
};

// One row per failing condition, objects in (kind, namespace, name) order.
[[nodiscard]] std::vector<StatusRow> not_ready(const ClusterState& state,
                                               compile::CompileOptions options);

[[nodiscard]] OrderedJson status_json(const std::vector<StatusRow>& rows);
[[nodiscard]] std::string status_table(const std::vector<StatusRow>& rows);

}  // namespace archway::controller::cli

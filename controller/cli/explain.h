#pragma once
// `kubectl archway explain`: which route a request hits, and why. Pure: it
// runs the controller's compile (controller/compile) on a ClusterState and
// the proxy's matcher (routing::RouteTable) on the snapshot as the proxy
// receives it (serialised and parsed back), so the winner it names is the
// proxy's by construction. Losing rules are judged one by one: each object
// is compiled alone (what it would serve if it won every conflict) and
// each of its rules' conditions is checked with the proxy's matcher
// (route_probe.h).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "controller/cli/route_probe.h"
#include "controller/cli/yaml_writer.h"
#include "controller/compile/compile.h"
#include "controller/model/cluster_state.h"

namespace archway::controller::cli {

struct ExplainRequest {
  std::string method = "GET";
  std::string host;        // as a client sends it; a port and a trailing dot are dropped
  std::string path = "/";  // may carry "?query"
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, std::string>> query;
};

struct ObjectRef {
  std::string kind;  // APIRoute | Ingress
  std::string ns;
  std::string name;
  [[nodiscard]] std::string to_string() const { return kind + " " + ns + "/" + name; }
};

struct BackendView {
  std::string service;   // "ns/name"
  std::string port;      // the Service port
  std::string protocol;  // HTTP | H2C | HTTPS
  uint32_t weight = 1;
  std::string cluster;  // the proxy cluster name
};

struct Winner {
  ObjectRef object;
  std::string rule;
  std::string host;    // the virtual host domain that served the request
  std::string match;   // the match that held (describe_match)
  std::string action;  // backends | redirect | directResponse | aggregate
  std::string action_detail;
  std::vector<BackendView> backends;
  std::vector<std::string> policies;          // the filter chain, request order
  std::vector<std::string> backend_policies;  // applied by the exchange around the backend
};

struct Loser {
  ObjectRef object;
  std::string rule;
  std::string host;
  std::string match;
  std::string reason;
};

struct Explanation {
  ProbeRequest request;  // normalised as the proxy matches it
  std::optional<Winner> winner;
  std::string outcome;  // "routed", or why the proxy answers 404
  std::vector<Loser> losers;
  std::vector<std::string> warnings;
};

// An error only for a request that cannot be judged (no host, a path the
// proxy refuses).
[[nodiscard]] Result<Explanation> explain(const ClusterState& state, const ExplainRequest& request,
                                          compile::CompileOptions options);

[[nodiscard]] OrderedJson explanation_json(const Explanation& explanation);
[[nodiscard]] std::string explanation_table(const Explanation& explanation);

}  // namespace archway::controller::cli

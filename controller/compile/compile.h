#pragma once
// The pure compile (DESIGN.md §1): ClusterState → proxy snapshot + a verdict
// per object. No I/O, no clock, no randomness: the same input gives a
// byte-identical snapshot (sorted output), so it is unit-tested on plain
// fixtures (tests/controller/, golden files in tests/testdata/controller/).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

struct CompileOptions {
  std::string controller_name = "archway.dev/ingress-controller";
  std::string ingress_class = "archway";  // our IngressClass name
  bool watch_ingresses_without_class = false;
  uint16_t http_port = 8080;
  uint16_t https_port = 8443;
  std::string version;  // snapshot version to stamp
  // Development and tests only: EndpointSlice address → address the proxy
  // dials. The API server refuses loopback endpoint addresses, so a
  // cluster without kubelet (e2e, `make run`) registers backends under a
  // documentation address and maps it to 127.0.0.1 here. Empty in production.
  std::map<std::string, std::string> endpoint_address_map;
};

// What compile decided about one object.
struct ObjectVerdict {
  std::string kind;  // APIRoute | Ingress
  ObjectKey key;
  std::string uid;
  int64_t generation = 0;
  bool accepted = true;                      // left out of the snapshot when false
  std::string accepted_reason = "Accepted";  // e.g. InvalidRegex, Conflicted, UnsupportedValue
  std::string accepted_message;
  bool resolved_refs = true;
  std::string resolved_reason = "ResolvedRefs";  // e.g. BackendNotFound, SecretNotFound
  std::string resolved_message;
  bool stale_generation_serving = false;  // an older generation is still in the snapshot
};

struct CompileResult {
  config::Snapshot snapshot;
  std::vector<ObjectVerdict> verdicts;  // sorted by (kind, key)
};

// `last_good`: for APIRoutes whose current generation is invalid, the last
// valid object (keyed by namespace/name) keeps serving (StaleGeneration).
[[nodiscard]] CompileResult compile(const ClusterState& state, const CompileOptions& options,
                                    const ObjectMap& last_good_routes);

}  // namespace archway::controller::compile

#pragma once
// Judges conflicts between translated objects and merges the survivors into
// virtual hosts and clusters. A conflict is the same host + the same match
// (path type and value, methods, headers, query params) claimed by two
// objects: the older one (metadata.creationTimestamp, then namespace/name)
// wins and the other is left out with Accepted=False reason=Conflicted.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "controller/compile/translated.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::compile {

struct Contender {
  const TranslatedObject* object = nullptr;  // not owned
  // Set by assemble() when an older object wins: Conflicted, naming it.
  std::optional<Problem> conflict;
};

struct Assembly {
  std::vector<config::VirtualHost> virtual_hosts;          // sorted by name
  std::vector<config::Cluster> clusters;                   // sorted by name, without endpoints
  std::map<std::string, EndpointSource> endpoint_sources;  // by cluster name
  // Per virtual host, per route: the object it came from; null for an
  // Ingress defaultBackend filling a host without a catch-all.
  std::vector<std::vector<const TranslatedObject*>> route_owners;
};

// Sorts `contenders` oldest first, marks losers, and builds the rest.
[[nodiscard]] Assembly assemble(std::vector<Contender>& contenders);

}  // namespace archway::controller::compile

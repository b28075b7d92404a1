#include "controller/compile/endpoint_index.h"

#include <set>
#include <utility>

#include "controller/compile/json_access.h"

namespace archway::controller::compile {
namespace {

constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

}  // namespace

EndpointIndex::EndpointIndex(const ClusterState& state) {
  for (const auto& [key, slice] : state.endpoint_slices) {
    const std::string service = str(object(object(slice, "metadata"), "labels"), kServiceNameLabel);
    if (service.empty()) continue;
    by_service_[ObjectKey{key.ns, service}].push_back(&slice.json());
  }
}

std::vector<config::Endpoint> EndpointIndex::endpoints(const EndpointSource& source,
                                                       const AddressMap& address_map) const {
  auto slices = by_service_.find(ObjectKey{source.ns, source.service});
  if (slices == by_service_.end()) return {};
  std::set<std::pair<std::string, uint16_t>> unique;  // sorted: deterministic output
  for (const Json* slice : slices->second) {
    if (str(*slice, "addressType", "IPv4") == "FQDN") continue;  // pod IPs only
    std::optional<int64_t> port;
    for (const Json& slice_port : array(*slice, "ports")) {
      if (str(slice_port, "name") == source.port_name) port = integer(slice_port, "port");
    }
    if (!port || *port <= 0 || *port > 65535) continue;
    for (const Json& endpoint : array(*slice, "endpoints")) {
      const Json* ready = member(object(endpoint, "conditions"), "ready");
      if (ready != nullptr && ready->is_boolean() && !ready->get<bool>()) continue;
      for (const Json& address : array(endpoint, "addresses")) {
        if (!address.is_string()) continue;
        const auto& text = address.get_ref<const std::string&>();
        const auto mapped = address_map.find(text);
        unique.emplace(mapped != address_map.end() ? mapped->second : text,
                       static_cast<uint16_t>(*port));
      }
    }
  }
  std::vector<config::Endpoint> out;
  out.reserve(unique.size());
  for (const auto& [address, port] : unique) out.push_back({address, port});
  return out;
}

void fill_endpoints(std::vector<config::Cluster>& clusters,
                    const std::map<std::string, EndpointSource>& sources,
                    const EndpointIndex& index, const AddressMap& address_map) {
  for (auto& cluster : clusters) {
    auto source = sources.find(cluster.name);
    if (source != sources.end()) cluster.endpoints = index.endpoints(source->second, address_map);
  }
}

}  // namespace archway::controller::compile

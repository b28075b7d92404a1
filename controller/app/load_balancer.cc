#include "controller/app/load_balancer.h"

#include "controller/compile/json_access.h"

namespace archway::controller::app {

std::vector<std::string> publish_addresses(const AppOptions& options, const ClusterState& state) {
  using compile::array;
  using compile::object;
  using compile::str;
  if (!options.publish_addresses.empty()) return options.publish_addresses;
  std::vector<std::string> out;
  const auto slash = options.publish_service.find('/');
  if (slash == std::string::npos) return out;
  auto it = state.services.find(ObjectKey{options.publish_service.substr(0, slash),
                                          options.publish_service.substr(slash + 1)});
  if (it == state.services.end()) return out;
  for (const auto& lb : array(object(object(it->second, "status"), "loadBalancer"), "ingress")) {
    const std::string ip = str(lb, "ip");
    const std::string host = str(lb, "hostname");
    if (!ip.empty())
      out.push_back(ip);
    else if (!host.empty())
      out.push_back(host);
  }
  if (!out.empty()) return out;
  const auto& spec = object(it->second, "spec");
  for (const auto& ip : array(spec, "externalIPs")) {
    if (ip.is_string()) out.push_back(ip.get<std::string>());
  }
  if (!out.empty()) return out;
  const std::string cluster_ip = str(spec, "clusterIP");
  if (!cluster_ip.empty() && cluster_ip != "None") out.push_back(cluster_ip);
  return out;
}

}  // namespace archway::controller::app

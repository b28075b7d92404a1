#include "controller/compile/proxy_check.h"

#include <cstdio>

#include "proxy/config/snapshot_parser.h"

namespace archway::controller::compile {

Result<void> proxy_validates(const config::Snapshot& snapshot) {
  // A copy: the controller keeps its snapshot to serialise and push it.
  auto validated = config::validate_snapshot(snapshot);
  if (!validated.ok()) return validated.error();
  return {};
}

std::string describe_refusal(const config::Snapshot& snapshot, const Error& error) {
  size_t vh = 0;
  size_t route = 0;
  int consumed = 0;
  if (std::sscanf(error.field.c_str(), "virtualHosts[%zu].routes[%zu]%n", &vh, &route, &consumed) ==
          2 &&
      vh < snapshot.virtual_hosts.size() && route < snapshot.virtual_hosts[vh].routes.size()) {
    std::string rest = error.field.substr(static_cast<size_t>(consumed));
    if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
    std::string out = "route \"" + snapshot.virtual_hosts[vh].routes[route].name + "\"";
    if (!rest.empty()) out += " " + rest;
    return out + ": " + error.message;
  }
  return error.to_string();
}

}  // namespace archway::controller::compile

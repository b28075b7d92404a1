#pragma once
// Everything archway-controller is told on its command line (flags.cc parses
// it); passed by value into the app, never read from globals.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace archway::controller::app {

struct AppOptions {
  std::string kubeconfig;  // empty: in-cluster config
  std::string admin_socket = "/var/run/archway/admin.sock";
  std::string ingress_class = "archway";
  std::string controller_name = "archway.dev/ingress-controller";
  bool watch_ingresses_without_class = false;
  bool nginx_annotations = false;  // import ingress-nginx annotations (docs/migration.md)
  std::vector<std::string> watch_namespaces;  // empty: all
  std::string leader_election_namespace = "default";
  std::string lease_name = "archway-controller";
  std::string identity;  // default: hostname + pid
  std::chrono::milliseconds lease_duration{15000};
  std::string publish_service;  // NS/NAME
  std::vector<std::string> publish_addresses;
  std::chrono::milliseconds debounce{50};
  std::chrono::milliseconds push_timeout{30000};
  // How often every referenced Secret is fetched again (GET by name), the
  // bound on noticing a rotation (docs/scale.md "Least privilege").
  std::chrono::milliseconds secret_refresh{10000};
  uint16_t http_port = 8080;
  uint16_t https_port = 8443;
  std::string log_level = "info";
  std::string log_format = "text";
  uint16_t health_port = 0;  // 0: no health endpoint
  std::string health_address = "0.0.0.0";
  // --dev-endpoint-address FROM=TO (development/e2e only, see CompileOptions).
  std::map<std::string, std::string> endpoint_address_map;
};

}  // namespace archway::controller::app

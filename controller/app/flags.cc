#include "controller/app/flags.h"

#include <boost/program_options.hpp>

#include <sstream>

#include "proxy/config/snapshot_parser.h"

namespace archway::controller::app {

namespace po = boost::program_options;

Result<ParsedFlags> parse_flags(int argc, const char* const* argv) {
  ParsedFlags out;
  AppOptions& o = out.options;
  std::string debounce = "50ms", lease_duration = "15s", push_timeout = "30s",
              secret_refresh = "10s";
  std::vector<std::string> address_map;
  po::options_description desc("archway-controller options");
  desc.add_options()("help", "show this help")("kubeconfig", po::value(&o.kubeconfig),
                                               "kubeconfig file (in-cluster config when empty)")(
      "admin-socket", po::value(&o.admin_socket)->default_value(o.admin_socket),
      "the proxy's admin socket to push snapshots to")(
      "ingress-class", po::value(&o.ingress_class)->default_value(o.ingress_class),
      "our IngressClass name")("controller-name",
                               po::value(&o.controller_name)->default_value(o.controller_name),
                               "IngressClass spec.controller value that selects us")(
      "watch-ingress-without-class", po::bool_switch(&o.watch_ingresses_without_class),
      "also handle Ingresses without a class when ours is not the default")(
      "nginx-annotations", po::bool_switch(&o.nginx_annotations),
      "import nginx.ingress.kubernetes.io/* annotations on every Ingress (docs/migration.md); "
      "without it, only for an IngressClass annotated archway.dev/nginx-annotations=true")(
      "watch-namespace", po::value(&o.watch_namespaces)->composing(),
      "namespace to watch (repeatable; all when absent)")(
      "leader-election-namespace",
      po::value(&o.leader_election_namespace)->default_value(o.leader_election_namespace),
      "namespace of the leader-election Lease")(
      "lease-name", po::value(&o.lease_name)->default_value(o.lease_name), "Lease name")(
      "lease-duration", po::value(&lease_duration)->default_value(lease_duration),
      "Lease duration (a new leader takes over within it)")(
      "identity", po::value(&o.identity), "this replica's identity (default: hostname-pid)")(
      "publish-service", po::value(&o.publish_service),
      "NS/NAME of the Service whose address goes into Ingress status.loadBalancer")(
      "publish-address", po::value(&o.publish_addresses)->composing(),
      "address for Ingress status.loadBalancer (repeatable; overrides --publish-service)")(
      "debounce", po::value(&debounce)->default_value(debounce),
      "coalesce changes this long before a compile")(
      "push-timeout", po::value(&push_timeout)->default_value(push_timeout),
      "timeout of one snapshot push")(
      "secret-refresh-interval", po::value(&secret_refresh)->default_value(secret_refresh),
      "fetch every referenced Secret again this often (a rotation is seen within it)")(
      "http-port", po::value(&o.http_port)->default_value(o.http_port), "proxy HTTP listener port")(
      "https-port", po::value(&o.https_port)->default_value(o.https_port),
      "proxy HTTPS listener port")("health-port", po::value(&o.health_port)->default_value(0),
                                   "serve /healthz and /readyz on --health-address:PORT (0: off)")(
      "health-address", po::value(&o.health_address)->default_value(o.health_address),
      "IP the health endpoint binds (all interfaces by default: the kubelet probes the pod IP)")(
      "log-level", po::value(&o.log_level)->default_value(o.log_level),
      "trace|debug|info|warn|error")(
      "log-format", po::value(&o.log_format)->default_value(o.log_format), "text|json")(
      "dev-endpoint-address", po::value(&address_map)->composing(),
      "FROM=TO: dial TO for EndpointSlice address FROM (development and e2e only: the API "
      "server refuses loopback endpoint addresses)");
  std::ostringstream usage;
  usage << desc;
  out.usage = usage.str();
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return invalid("flags", std::string(e.what()) + "\n" + out.usage);
  }
  out.help = vm.count("help") > 0;
  for (auto [text, target, name] :
       {std::tuple{&debounce, &o.debounce, "--debounce"},
        std::tuple{&lease_duration, &o.lease_duration, "--lease-duration"},
        std::tuple{&push_timeout, &o.push_timeout, "--push-timeout"},
        std::tuple{&secret_refresh, &o.secret_refresh, "--secret-refresh-interval"}}) {
    auto parsed = config::parse_duration(*text);
    if (!parsed.ok()) return invalid(name, parsed.error().message);
    *target = *parsed;
  }
  if (o.secret_refresh.count() <= 0) {
    return invalid("--secret-refresh-interval", "must be more than 0");
  }
  for (const auto& entry : address_map) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) {
      return invalid("--dev-endpoint-address", "must be FROM=TO");
    }
    o.endpoint_address_map[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  if (!o.publish_service.empty() && o.publish_service.find('/') == std::string::npos) {
    return invalid("--publish-service", "must be NAMESPACE/NAME");
  }
  return out;
}

}  // namespace archway::controller::app

#include "controller/app/app.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "common/signals.h"
#include "controller/app/health_server.h"
#include "controller/app/programmed_latency.h"
#include "controller/app/reconciler.h"
#include "controller/app/trigger.h"
#include "controller/informer/informer_set.h"
#include "controller/k8s/kube_client.h"
#include "controller/leader/leader_elector.h"
#include "controller/replicas/replica_registry.h"
#include "controller/status/status_publisher.h"
#include "controller/status/status_writer.h"

namespace archway::controller::app {
namespace {

std::string default_identity() {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "archway") + "-" + std::to_string(::getpid());
}

}  // namespace

int run(const AppOptions& options) {
  auto config = options.kubeconfig.empty() ? k8s::load_in_cluster_config()
                                           : k8s::load_kubeconfig(options.kubeconfig);
  if (!config.ok()) {
    spdlog::error("kubernetes configuration: {}", config.error().to_string());
    return 1;
  }
  const std::string identity = options.identity.empty() ? default_identity() : options.identity;
  auto client = k8s::make_kube_client(*config);
  informer::InformerOptions informer_options;
  informer_options.namespaces = options.watch_namespaces;
  informer_options.secret_refresh = options.secret_refresh;
  auto informers = informer::make_informer_set(*client, informer_options);
  auto writer = status::make_status_writer(*client, options.controller_name, identity);
  leader::LeaderOptions lopts;
  lopts.lease_namespace = options.leader_election_namespace;
  lopts.lease_name = options.lease_name;
  lopts.identity = identity;
  lopts.lease_duration = options.lease_duration;
  // client-go's ratios: renew deadline 2/3 of the lease, retry 2/15.
  lopts.renew_deadline = options.lease_duration * 2 / 3;
  lopts.retry_period = std::max(std::chrono::milliseconds(200), options.lease_duration * 2 / 15);
  auto elector = leader::make_leader_elector(*client, lopts);

  std::atomic<bool> leading{false};
  Trigger trigger(options.debounce);
  auto publisher = std::make_unique<status::StatusPublisher>(*writer);
  // Every replica reports what its proxy serves; the leader counts them
  // for Programmed (docs/status.md "Replicas").
  replicas::ReplicaRegistry registry(
      *client,
      {options.leader_election_namespace, options.lease_name, identity, options.lease_duration, {}},
      [&] { trigger.notify(); });
  ProgrammedLatency latency;
  Reconciler reconciler(
      options, *informers, *publisher, [&] { return leading.load(); }, &registry, &latency);
  std::thread worker([&] { reconciler.run(trigger); });
  std::unique_ptr<HealthServer> health;
  if (options.health_port != 0) {
    health = std::make_unique<HealthServer>(
        options.health_address, options.health_port,
        [&] { return informers->synced() && reconciler.programmed(); },
        [&] { return latency.prometheus_text(); });
    if (auto started = health->start(); !started) {
      spdlog::error("{}", started.error().to_string());
      trigger.stop();
      worker.join();
      return 1;
    }
  }

  informers->start([&] { trigger.notify(); });
  registry.start();
  elector->start(
      [&] {
        spdlog::info("{} is the leader: writing status", identity);
        publisher->reset();
        leading = true;
        trigger.notify();
      },
      [&] {
        spdlog::info("{} stopped leading", identity);
        leading = false;
      });
  spdlog::info("archway-controller {} started (class {}, proxy {}, debounce {} ms)", identity,
               options.ingress_class, options.admin_socket, options.debounce.count());

  for (;;) {  // bounded by the signal: the only way out
    if (auto sig = wait_for_signal(std::chrono::seconds(1))) {
      spdlog::info("signal {} received, stopping", *sig);
      break;
    }
  }
  if (health) health->stop();  // before what its readiness check reads goes away
  trigger.stop();
  worker.join();
  registry.stop();  // deletes this replica's Lease: the others stop counting it at once
  elector->stop();  // releases the Lease so a peer takes over at once
  informers->stop();
  publisher.reset();
  spdlog::info("archway-controller stopped");
  return 0;
}

}  // namespace archway::controller::app

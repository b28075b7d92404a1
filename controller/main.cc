// archway-controller: the control plane. Placeholder entry point from the foundation
// issue: parses flags, logs, and exits 0 on SIGTERM. The control plane issue
// replaces the body with informers and compile.
#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>

#include "common/logging.h"
#include "common/signals.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  archway::block_termination_signals();
  po::options_description opts("archway-controller options");
  std::string config, admin_socket, log_level, log_format;
  opts.add_options()("help", "show this help")(
      "kubeconfig", po::value(&config), "kubeconfig file (in-cluster config when empty)")(
      "admin-socket", po::value(&admin_socket), "the proxy's admin socket to push snapshots to")(
      "log-level", po::value(&log_level)->default_value("info"), "trace|debug|info|warn|error")(
      "log-format", po::value(&log_format)->default_value("text"), "text|json");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "archway-controller: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!archway::configure_logging(log_level, log_format)) {
    std::cerr << "archway-controller: bad --log-level or --log-format\n";
    return 2;
  }
  spdlog::info("archway-controller starting");
  while (true) {
    if (auto sig = archway::wait_for_signal(std::chrono::seconds(1))) {
      spdlog::info("signal {} received, exiting", *sig);
      return 0;
    }
  }
}

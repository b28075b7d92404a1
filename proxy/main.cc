// archway-proxy: the data plane. Placeholder entry point from the foundation
// issue: parses flags, logs, and exits 0 on SIGTERM. The data plane issue
// replaces the body with the event loops.
#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>

#include "common/logging.h"
#include "common/signals.h"

namespace po = boost::program_options;

int main(int argc, char** argv) {
  archway::block_termination_signals();
  po::options_description opts("archway-proxy options");
  std::string config, admin_socket, log_level, log_format;
  opts.add_options()("help", "show this help")(
      "config", po::value(&config), "snapshot file to load at start")(
      "admin-socket", po::value(&admin_socket), "Unix socket for PUT /config")(
      "log-level", po::value(&log_level)->default_value("info"), "trace|debug|info|warn|error")(
      "log-format", po::value(&log_format)->default_value("text"), "text|json");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "archway-proxy: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!archway::configure_logging(log_level, log_format)) {
    std::cerr << "archway-proxy: bad --log-level or --log-format\n";
    return 2;
  }
  spdlog::info("archway-proxy starting");
  while (true) {
    if (auto sig = archway::wait_for_signal(std::chrono::seconds(1))) {
      spdlog::info("signal {} received, exiting", *sig);
      return 0;
    }
  }
}

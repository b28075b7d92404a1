// archway-controller: watches Ingress and APIRoute objects, compiles them into
// a snapshot and pushes it to the proxy beside it (DESIGN.md §1). Everything
// but flag parsing lives in controller/app/ so tests link the same code.
#include <spdlog/spdlog.h>

#include <iostream>

#include "common/logging.h"
#include "common/signals.h"
#include "controller/app/app.h"
#include "controller/app/flags.h"

int main(int argc, char** argv) {
  // Before any thread starts, so every thread inherits the mask (signals.h).
  archway::block_termination_signals();
  auto flags = archway::controller::app::parse_flags(argc, argv);
  if (!flags.ok()) {
    std::cerr << "archway-controller: " << flags.error().to_string() << "\n";
    return 2;
  }
  if (flags->help) {
    std::cout << flags->usage;
    return 0;
  }
  if (!archway::configure_logging(flags->options.log_level, flags->options.log_format)) {
    std::cerr << "archway-controller: bad --log-level or --log-format\n";
    return 2;
  }
  return archway::controller::app::run(flags->options);
}

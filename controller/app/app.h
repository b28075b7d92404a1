#pragma once
// Wires the edges together (Kubernetes client, informers, leader election,
// status writer, proxy push) around the reconciler, and runs until SIGTERM /
// SIGINT. Returns the process exit code.

#include "controller/app/options.h"

namespace archway::controller::app {

// Call after block_termination_signals() and before any other thread starts.
[[nodiscard]] int run(const AppOptions& options);

}  // namespace archway::controller::app

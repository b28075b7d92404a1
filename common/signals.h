#pragma once
// Blocks SIGTERM/SIGINT/SIGHUP in the calling thread (call it in main() before
// starting any thread, so every thread inherits the mask) and lets main wait
// for them synchronously. No signal handler runs, so no global state is needed.

#include <chrono>
#include <optional>

namespace archway {

void block_termination_signals();
// Waits up to `timeout` for SIGTERM, SIGINT or SIGHUP; returns the signal
// number or nullopt on timeout.
std::optional<int> wait_for_signal(std::chrono::milliseconds timeout);

}  // namespace archway

#include "common/signals.h"

#include <csignal>
#include <ctime>

namespace archway {
namespace {
sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}
}  // namespace

void block_termination_signals() {
  sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client closing a connection mid-write must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
}

std::optional<int> wait_for_signal(std::chrono::milliseconds timeout) {
  sigset_t set = termination_set();
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
  int sig = sigtimedwait(&set, nullptr, &ts);
  if (sig < 0) return std::nullopt;
  return sig;
}

}  // namespace archway

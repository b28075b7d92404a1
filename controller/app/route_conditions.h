#pragma once
// Verdict + the proxy's answer → APIRoute conditions and Warning Events
// (DESIGN.md §2 status). Pure, so every reason is unit-tested without a
// cluster.

#include <optional>
#include <string>
#include <vector>

#include "controller/compile/compile.h"
#include "controller/status/status_writer.h"

namespace archway::controller::app {

// What the proxy said about the snapshot that held this verdict.
struct PushOutcome {
  enum class State { kPending, kAcked, kNacked } state = State::kPending;
  std::string message;  // NACK message, or why it is pending
};

// Accepted, ResolvedRefs, Programmed, Ready, in that order.
// Programmed: True once the proxy ACKed a snapshot holding this generation;
// False/StaleGeneration when an older generation serves instead; False/
// Rejected with the proxy's message on NACK; False/Pending before an answer;
// False/NotAccepted when the object is left out.
[[nodiscard]] status::RouteStatus route_status(const compile::ObjectVerdict& verdict,
                                               const PushOutcome& push);

// Warning Events for what a person must fix (one per problem).
[[nodiscard]] std::vector<status::EventSpec> warning_events(const compile::ObjectVerdict& verdict,
                                                            const PushOutcome& push);

}  // namespace archway::controller::app

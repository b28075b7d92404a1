#include "controller/app/route_conditions.h"

namespace archway::controller::app {
namespace {

status::Condition programmed(const compile::ObjectVerdict& v, const PushOutcome& push) {
  using State = PushOutcome::State;
  if (!v.accepted && !v.stale_generation_serving) {
    return {"Programmed", false, "NotAccepted", "the route is not accepted: " + v.accepted_message};
  }
  switch (push.state) {
    case State::kPending:
      return {"Programmed", false, "Pending",
              push.message.empty() ? "waiting for the proxy" : push.message};
    case State::kNacked:
      return {"Programmed", false, "Rejected", "the proxy rejected the snapshot: " + push.message};
    case State::kAcked:
      break;
  }
  if (v.stale_generation_serving) {
    return {"Programmed", false, "StaleGeneration",
            "generation " + std::to_string(v.generation) +
                " is not accepted; the last accepted generation keeps serving"};
  }
  return {"Programmed", true, "Programmed", "the proxy serves this generation"};
}

}  // namespace

status::RouteStatus route_status(const compile::ObjectVerdict& v, const PushOutcome& push) {
  status::RouteStatus s;
  s.key = v.key;
  s.observed_generation = v.generation;
  s.conditions.push_back({"Accepted", v.accepted, v.accepted_reason, v.accepted_message});
  s.conditions.push_back({"ResolvedRefs", v.resolved_refs, v.resolved_reason, v.resolved_message});
  s.conditions.push_back(programmed(v, push));
  status::Condition ready{"Ready", true, "Ready", "the route is accepted, resolved and programmed"};
  for (const auto& c : s.conditions) {
    if (!c.status) {
      ready = {"Ready", false, c.reason, c.type + ": " + c.message};
      break;
    }
  }
  s.conditions.push_back(std::move(ready));
  return s;
}

std::vector<status::EventSpec> warning_events(const compile::ObjectVerdict& v,
                                              const PushOutcome& push) {
  std::vector<status::EventSpec> events;
  auto add = [&](const std::string& reason, const std::string& note) {
    status::EventSpec e;
    e.kind = v.kind;
    e.api_version = v.kind == "Ingress" ? "networking.k8s.io/v1" : "archway.dev/v1alpha1";
    e.key = v.key;
    e.uid = v.uid;
    e.type = "Warning";
    e.reason = reason;
    e.note = note;
    events.push_back(std::move(e));
  };
  if (!v.accepted) add(v.accepted_reason, v.accepted_message);
  if (!v.resolved_refs) add(v.resolved_reason, v.resolved_message);
  if (push.state == PushOutcome::State::kNacked && (v.accepted || v.stale_generation_serving)) {
    add("Rejected", "the proxy rejected the snapshot: " + push.message);
  }
  return events;
}

}  // namespace archway::controller::app

#include "controller/status/route_conditions.h"

#include <algorithm>

namespace archway::controller::status {
namespace {

std::string spelled(compile::Reason reason) { return std::string(compile::reason_name(reason)); }

std::string joined(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) out += (out.empty() ? "" : "; ") + m;
  return out;
}

Condition programmed(const compile::ObjectVerdict& v, const PushOutcome& push,
                     bool generation_acked) {
  using State = PushOutcome::State;
  if (generation_acked) {
    return {"Programmed", true, "Programmed",
            "the proxy serves generation " + std::to_string(v.generation)};
  }
  if (!v.accepted && !v.stale_generation_serving) {
    return {"Programmed", false, "NotAccepted", "the route is not accepted: " + v.accepted_message};
  }
  if (v.stale_generation_serving) {
    return {"Programmed", false, "StaleGeneration",
            "generation " + std::to_string(v.generation) + " is not accepted; generation " +
                std::to_string(v.served_generation) + ", the last accepted one, keeps serving"};
  }
  switch (push.state) {
    case State::kNacked:
      return {"Programmed", false, "Rejected", "the proxy rejected the snapshot: " + push.message};
    case State::kPending:
    case State::kAcked:
      break;
  }
  return {"Programmed", false, "Pending",
          push.message.empty() ? "waiting for the proxy" : push.message};
}

EventSpec event_on(const std::string& kind, const ObjectKey& key, const std::string& uid,
                   const char* type, const std::string& reason, const std::string& note) {
  EventSpec e;
  e.kind = kind;
  e.api_version = kind == "Ingress" ? "networking.k8s.io/v1" : "archway.dev/v1alpha1";
  e.key = key;
  e.uid = uid;
  e.type = type;
  e.reason = reason;
  e.note = note;
  return e;
}

}  // namespace

RouteStatus route_status(const compile::ObjectVerdict& v, const PushOutcome& push,
                         bool generation_acked) {
  RouteStatus s;
  s.key = v.key;
  s.observed_generation = v.generation;
  s.conditions.push_back({"Accepted", v.accepted, spelled(v.accepted_reason), v.accepted_message});
  s.conditions.push_back(
      {"ResolvedRefs", v.resolved_refs, spelled(v.resolved_reason), v.resolved_message});
  s.conditions.push_back(programmed(v, push, generation_acked));
  Condition ready{"Ready", true, "Ready", "the route is accepted, resolved and programmed"};
  for (const auto& c : s.conditions) {
    if (!c.status) {
      ready = {"Ready", false, c.reason, c.type + ": " + c.message};
      break;
    }
  }
  s.conditions.push_back(std::move(ready));
  // A warning, not part of Ready: the route serves, but a rule is dead
  // weight a person probably did not mean (docs/status.md).
  if (!v.shadowed_rules.empty()) {
    s.conditions.push_back({"Shadowed", true, "ShadowedRule", joined(v.shadowed_rules)});
  }
  return s;
}

RouteStatus route_status(const compile::ObjectVerdict& v, const PushOutcome& push,
                         bool generation_acked, const ReplicaProgress& replicas) {
  RouteStatus s = route_status(v, push, generation_acked);
  s.programmed_replicas =
      std::to_string(replicas.serving) + "/" + std::to_string(std::max(replicas.total, 1));
  s.programmed_seconds = replicas.programmed_seconds;
  if (!generation_acked || replicas.waiting.empty()) return s;
  std::string names;
  for (const auto& w : replicas.waiting) names += (names.empty() ? "" : ", ") + w;
  Condition programmed{"Programmed", false,
                       replicas.any_rejected ? "ReplicaRejected" : "ReplicasPending",
                       "generation " + std::to_string(v.generation) + " is served by " +
                           std::to_string(replicas.serving) + " of " +
                           std::to_string(replicas.total) + " replicas; not yet by " + names};
  for (auto& c : s.conditions) {
    if (c.type == "Programmed") c = programmed;
    if (c.type == "Ready" && c.status) {
      c = {"Ready", false, programmed.reason, "Programmed: " + programmed.message};
    }
  }
  return s;
}

std::vector<EventSpec> warning_events(const compile::ObjectVerdict& v, const PushOutcome& push,
                                      bool generation_acked) {
  std::vector<EventSpec> events;
  auto add = [&](const std::string& reason, std::string note) {
    events.push_back(event_on(v.kind, v.key, v.uid, "Warning", reason, std::move(note)));
  };
  if (!v.accepted) {
    // Ingress has no conditions: the Event is where a person learns that
    // an older generation keeps serving.
    add(spelled(v.accepted_reason), v.stale_generation_serving
                                        ? v.accepted_message + " (generation " +
                                              std::to_string(v.served_generation) +
                                              ", the last accepted one, keeps serving)"
                                        : v.accepted_message);
  }
  if (!v.resolved_refs) add(spelled(v.resolved_reason), v.resolved_message);
  if (!v.shadowed_rules.empty()) add("ShadowedRule", joined(v.shadowed_rules));
  // What still serves but was not honoured (ingress-nginx annotations).
  if (v.accepted || v.stale_generation_serving) {
    for (const auto& [reason, message] : v.warnings) add(spelled(reason), message);
  }
  if (push.state == PushOutcome::State::kNacked && !generation_acked &&
      (v.accepted || v.stale_generation_serving)) {
    add("Rejected", "the proxy rejected the snapshot: " + push.message);
  }
  return events;
}

EventSpec programmed_event(const std::string& kind, const ObjectKey& key, const std::string& uid,
                           int64_t generation) {
  return event_on(kind, key, uid, "Normal", "Programmed",
                  "generation " + std::to_string(generation) + " is served by the proxy");
}

}  // namespace archway::controller::status

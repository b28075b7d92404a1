#include "controller/status/conditions.h"

#include <algorithm>

namespace archway::controller::status {
namespace {

// metav1.Condition limits: message <= 32768 bytes, reason <= 1024.
constexpr size_t kMaxMessage = 32768;

nlohmann::json to_json(const Condition& c, int64_t generation, const nlohmann::json* previous,
                       k8s::TimePoint now) {
  const std::string status = c.status ? "True" : "False";
  std::string transition = k8s::format_time(now);
  if (previous != nullptr && previous->value("status", "") == status) {
    if (auto it = previous->find("lastTransitionTime"); it != previous->end() && it->is_string()) {
      transition = it->get<std::string>();
    }
  }
  return {{"type", c.type},
          {"status", status},
          {"reason", c.reason},
          {"message", c.message.substr(0, kMaxMessage)},
          {"observedGeneration", generation},
          {"lastTransitionTime", transition}};
}

// Conditions we write only while they apply (JWKSReady: while a rule
// names a jwksUri; Shadowed: while a rule can never match): one that is no
// longer desired is removed, not kept.
bool optional_and_ours(const std::string& type) {
  return type == "JWKSReady" || type == "Shadowed";
}

const Condition* find_desired(const std::vector<Condition>& desired, const std::string& type) {
  for (const auto& c : desired) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

}  // namespace

nlohmann::json merge_conditions(const nlohmann::json& current,
                                const std::vector<Condition>& desired, int64_t observed_generation,
                                k8s::TimePoint now) {
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::string> written;
  if (current.is_array()) {
    for (const auto& existing : current) {
      if (!existing.is_object()) continue;
      const std::string type = existing.value("type", "");
      if (const Condition* c = find_desired(desired, type)) {
        out.push_back(to_json(*c, observed_generation, &existing, now));
        written.push_back(type);
      } else if (!optional_and_ours(type)) {
        out.push_back(existing);  // another writer's condition: not ours to drop
      }
    }
  }
  for (const auto& c : desired) {
    if (std::find(written.begin(), written.end(), c.type) != written.end()) continue;
    out.push_back(to_json(c, observed_generation, nullptr, now));
    written.push_back(c.type);
  }
  return out;
}

}  // namespace archway::controller::status

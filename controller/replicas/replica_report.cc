#include "controller/replicas/replica_report.h"

#include <cstdint>
#include <cstdio>

namespace archway::controller::replicas {
namespace {

uint32_t fnv1a(const std::string& s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

std::optional<ProxyState> state_from(const std::string& name) {
  if (name == "Acked") return ProxyState::kAcked;
  if (name == "Nacked") return ProxyState::kNacked;
  if (name == "Pending") return ProxyState::kPending;
  return std::nullopt;
}

}  // namespace

const char* state_name(ProxyState state) {
  switch (state) {
    case ProxyState::kAcked:
      return "Acked";
    case ProxyState::kNacked:
      return "Nacked";
    case ProxyState::kPending:
      break;
  }
  return "Pending";
}

std::string replica_lease_name(const std::string& base, const std::string& identity) {
  std::string clean;
  for (char c : identity) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok) {
      clean += c;
    } else if (!clean.empty() && clean.back() != '-') {
      clean += '-';
    }
  }
  char hash[9];
  std::snprintf(hash, sizeof hash, "%08x", fnv1a(identity));
  std::string name = base + "-replica-";
  // Room for "-" + 8 hex digits within 63 characters.
  const size_t room = name.size() + 9 < 63 ? 63 - name.size() - 9 : 0;
  clean = clean.substr(0, room);
  while (!clean.empty() && clean.back() == '-') clean.pop_back();
  name += clean.empty() ? std::string(hash) : clean + "-" + hash;
  return name.substr(0, 63);
}

nlohmann::json replica_lease(const ReplicaReport& report, const std::string& ns,
                             const std::string& name, const std::string& base) {
  const nlohmann::json state = {
      {"digest", report.digest}, {"state", state_name(report.state)}, {"message", report.message}};
  return {{"apiVersion", "coordination.k8s.io/v1"},
          {"kind", "Lease"},
          {"metadata",
           {{"name", name},
            {"namespace", ns},
            {"labels", {{kReplicaOfLabel, base}, {"app.kubernetes.io/part-of", "archway"}}},
            {"annotations", {{kProxyStateAnnotation, state.dump()}}}}},
          {"spec",
           {{"holderIdentity", report.identity},
            {"leaseDurationSeconds", report.lease_duration_s},
            {"renewTime", k8s::format_micro_time(report.renewed)}}}};
}

std::optional<ReplicaReport> parse_replica_lease(const nlohmann::json& lease) try {
  if (!lease.is_object()) return std::nullopt;
  const auto spec = lease.value("spec", nlohmann::json::object());
  ReplicaReport r;
  r.identity = spec.value("holderIdentity", "");
  r.lease_duration_s = spec.value("leaseDurationSeconds", 0);
  const auto renewed = k8s::parse_time(spec.value("renewTime", ""));
  if (r.identity.empty() || !renewed || r.lease_duration_s <= 0) return std::nullopt;
  r.renewed = *renewed;
  const auto annotations = lease.value("metadata", nlohmann::json::object())
                               .value("annotations", nlohmann::json::object());
  const auto text = annotations.value(kProxyStateAnnotation, "");
  const auto state = nlohmann::json::parse(text, nullptr, false);
  if (state.is_object()) {
    r.digest = state.value("digest", "");
    r.state = state_from(state.value("state", "")).value_or(ProxyState::kPending);
    r.message = state.value("message", "");
  }
  return r;
} catch (const nlohmann::json::exception&) {
  return std::nullopt;  // a field of the wrong type: not a report we wrote
}

bool live(const ReplicaReport& report, k8s::TimePoint now) {
  return report.renewed + std::chrono::seconds(report.lease_duration_s) > now;
}

}  // namespace archway::controller::replicas

// healthCheck: the APIRoute field's schema (crds/generate.py
// "health_check") and a cluster's field in the snapshot, one decoder for
// both.

#include "proxy/config/field_checks.h"
#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr uint64_t kU32Max = 0xffffffffULL;

void decode_statuses(Decoder& d, ObjectReader& r, std::vector<uint16_t>& out) {
  r.each("expectedStatuses", [&](const Json& element, const std::string& path) {
    if (!element.is_number_integer()) {
      d.fail(path, "expected integer");
      return;
    }
    const int64_t code = element.get<int64_t>();
    if (code < 100 || code > 599) {
      d.fail(path, "must be between 100 and 599");
      return;
    }
    out.push_back(static_cast<uint16_t>(code));
  });
}

// The request-target of the probe: it goes on the request line as written,
// so nothing that could end or split that line.
Result<void> check_probe_path(std::string_view path, const std::string& at) {
  if (path.empty() || path.front() != '/') return invalid(at, "must be an absolute path");
  if (path.size() > 1024) return invalid(at, "must be at most 1024 bytes");
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return invalid(at, "must not contain whitespace or control characters");
    }
  }
  return {};
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, HealthCheck& out) {
  ObjectReader r(d, json, path,
                 {"path", "interval", "timeout", "unhealthyThreshold", "healthyThreshold", "host",
                  "expectedStatuses"});
  r.get("path", out.path, /*required=*/true);
  r.get_duration("interval", out.interval);
  r.get_duration("timeout", out.timeout);
  r.get("unhealthyThreshold", out.unhealthy_threshold, 0, kU32Max);
  r.get("healthyThreshold", out.healthy_threshold, 0, kU32Max);
  r.get("host", out.host);
  if (out.host) *out.host = ascii_lower(*out.host);
  if (r.child("expectedStatuses") != nullptr) decode_statuses(d, r, out.expected_statuses);
}

Result<void> validate(const HealthCheck& check, const std::string& path) {
  if (auto r = check_probe_path(check.path, path + ".path"); !r.ok()) return r;
  if (check.interval < HealthCheck::kMinInterval || check.interval > HealthCheck::kMaxInterval) {
    return invalid(path + ".interval", "must be between 100ms and 1h");
  }
  if (check.timeout) {
    if (check.timeout->count() <= 0) return invalid(path + ".timeout", "must be greater than 0");
    if (*check.timeout >= check.interval) {
      return invalid(path + ".timeout", "must be shorter than interval");
    }
  }
  if (auto r = check_range(check.unhealthy_threshold, path + ".unhealthyThreshold", 1,
                           HealthCheck::kMaxThreshold);
      !r.ok()) {
    return r;
  }
  if (auto r = check_range(check.healthy_threshold, path + ".healthyThreshold", 1,
                           HealthCheck::kMaxThreshold);
      !r.ok()) {
    return r;
  }
  if (check.host) {
    if (auto p = check_hostname(*check.host)) return invalid(path + ".host", *p);
  }
  const std::string codes = path + ".expectedStatuses";
  if (auto r =
          check_count(check.expected_statuses.size(), codes, 0, HealthCheck::kMaxExpectedStatuses);
      !r.ok()) {
    return r;
  }
  for (size_t i = 0; i < check.expected_statuses.size(); ++i) {
    const uint16_t code = check.expected_statuses[i];
    if (code < 100 || code > 599) {
      return invalid(index_field(codes, i), "must be between 100 and 599");
    }
    for (size_t j = 0; j < i; ++j) {
      if (code == check.expected_statuses[j]) {
        return invalid(index_field(codes, i), "duplicate value " + std::to_string(code));
      }
    }
  }
  return {};
}

Json to_json(const HealthCheck& check) {
  Json out = {{"path", check.path},
              {"interval", format_duration(check.interval)},
              {"unhealthyThreshold", check.unhealthy_threshold},
              {"healthyThreshold", check.healthy_threshold}};
  // Optional: written only when set, so an unset timeout keeps following
  // the interval.
  if (check.timeout) out["timeout"] = format_duration(*check.timeout);
  if (check.host) out["host"] = *check.host;
  if (!check.expected_statuses.empty()) out["expectedStatuses"] = check.expected_statuses;
  return out;
}

}  // namespace archway::config

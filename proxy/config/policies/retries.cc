// retries: the APIRoute field's schema (crds/generate.py "retries"). The
// CRD's `on` and `retryOn` are one field under two names (YAML 1.1 reads a
// bare `on:` as true); the snapshot keeps one list, written as `retryOn`.

#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr EnumName<RetryOn> kRetryOnNames[] = {{RetryOn::kConnectFailure, "connect-failure"},
                                               {RetryOn::kRefusedStream, "refused-stream"},
                                               {RetryOn::kReset, "reset"},
                                               {RetryOn::kGatewayError, "gateway-error"},
                                               {RetryOn::k5xx, "5xx"}};
constexpr uint64_t kU32Max = 0xffffffffULL;
constexpr size_t kMaxStatusCodes = 16;

void decode_conditions(Decoder& d, ObjectReader& r, std::string_view key,
                       std::vector<RetryOn>& out) {
  out.clear();  // the given list replaces the default
  r.each(key, [&](const Json& element, const std::string& path) {
    if (!element.is_string()) {
      d.fail(path, "expected string");
      return;
    }
    for (const auto& entry : kRetryOnNames) {
      if (entry.name == element.get_ref<const std::string&>()) {
        out.push_back(entry.value);
        return;
      }
    }
    d.fail(path, "must be one of connect-failure, refused-stream, reset, gateway-error, 5xx");
  });
}

void decode_status_codes(Decoder& d, ObjectReader& r, std::vector<uint16_t>& out) {
  r.each("statusCodes", [&](const Json& element, const std::string& path) {
    if (!element.is_number_integer()) {
      d.fail(path, "expected integer");
      return;
    }
    const int64_t code = element.get<int64_t>();
    if (code < 400 || code > 599) {
      d.fail(path, "must be between 400 and 599");
      return;
    }
    out.push_back(static_cast<uint16_t>(code));
  });
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, Retries& out) {
  ObjectReader r(d, json, path,
                 {"attempts", "on", "retryOn", "statusCodes", "backoff", "budgetPercent"});
  if (r.ok() && r.child("attempts") == nullptr) d.fail(r.field("attempts"), "is required");
  r.get("attempts", out.attempts, 0, kU32Max);
  if (r.child("on") != nullptr && r.child("retryOn") != nullptr) {
    d.fail(r.field("retryOn"), "set at most one of on and retryOn (they are the same field)");
  }
  if (r.child("on") != nullptr) decode_conditions(d, r, "on", out.retry_on);
  if (r.child("retryOn") != nullptr) decode_conditions(d, r, "retryOn", out.retry_on);
  if (r.child("statusCodes") != nullptr) decode_status_codes(d, r, out.status_codes);
  if (const Json* backoff = r.child("backoff")) {
    ObjectReader b(d, *backoff, r.field("backoff"), {"base", "max"});
    b.get_duration("base", out.backoff.base);
    b.get_duration("max", out.backoff.max);
  }
  r.get("budgetPercent", out.budget_percent, 0, kU32Max);
}

Result<void> validate(const Retries& retries, const std::string& path) {
  if (auto r = check_range(retries.attempts, path + ".attempts", 0, 10); !r.ok()) return r;
  const std::string on = path + ".retryOn";
  if (auto r = check_count(retries.retry_on.size(), on, 0, std::size(kRetryOnNames)); !r.ok()) {
    return r;
  }
  for (size_t i = 0; i < retries.retry_on.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (retries.retry_on[i] == retries.retry_on[j]) {
        return invalid(index_field(on, i),
                       "duplicate value \"" +
                           std::string(enum_name(kRetryOnNames, retries.retry_on[i])) + "\"");
      }
    }
  }
  const std::string codes = path + ".statusCodes";
  if (auto r = check_count(retries.status_codes.size(), codes, 0, kMaxStatusCodes); !r.ok()) {
    return r;
  }
  for (size_t i = 0; i < retries.status_codes.size(); ++i) {
    const uint16_t code = retries.status_codes[i];
    if (code < 400 || code > 599)
      return invalid(index_field(codes, i), "must be between 400 and 599");
    for (size_t j = 0; j < i; ++j) {
      if (code == retries.status_codes[j]) {
        return invalid(index_field(codes, i), "duplicate value " + std::to_string(code));
      }
    }
  }
  if (retries.backoff.base.count() < 0) {
    return invalid(path + ".backoff.base", "must not be negative");
  }
  if (retries.backoff.base > retries.backoff.max) {
    return invalid(path + ".backoff.base", "base must not be longer than max");
  }
  return check_range(retries.budget_percent, path + ".budgetPercent", 0, 100);
}

Json to_json(const Retries& retries) {
  Json on = Json::array();
  for (RetryOn condition : retries.retry_on) on.push_back(enum_name(kRetryOnNames, condition));
  Json out = {{"attempts", retries.attempts},
              {"retryOn", std::move(on)},
              {"backoff",
               {{"base", format_duration(retries.backoff.base)},
                {"max", format_duration(retries.backoff.max)}}},
              {"budgetPercent", retries.budget_percent}};
  // Optional: written only when set, so older snapshots read back the same.
  if (!retries.status_codes.empty()) out["statusCodes"] = retries.status_codes;
  return out;
}

}  // namespace archway::config

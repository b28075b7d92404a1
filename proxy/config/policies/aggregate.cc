// aggregate: the snapshot form of the APIRoute field (docs/snapshot.md
// "aggregate"): each part's Service is a cluster of the snapshot, named as
// backends name theirs. The per-part timeout, required and maxBodyBytes and
// the forwarded headers are optional: a snapshot written before they
// existed decodes to the same policy.

#include <algorithm>

#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/policy_checks.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::config {
namespace {

constexpr EnumName<PartialFailure> kPartialFailureNames[] = {{PartialFailure::kFail, "Fail"},
                                                             {PartialFailure::kOmit, "Omit"}};

// The CRD's part name pattern ^[A-Za-z_][A-Za-z0-9_-]*$, at most 63 bytes.
bool is_part_name(std::string_view name) {
  const auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  return !name.empty() && name.size() <= 63 && letter(name[0]) &&
         std::all_of(name.begin(), name.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9') || c == '-'; });
}

// The CRD's part path pattern ^/[^\x00-\x1f\x7f\s]*$, at most 1024 bytes.
bool is_part_path(std::string_view path) {
  return !path.empty() && path[0] == '/' && path.size() <= 1024 &&
         std::none_of(path.begin(), path.end(),
                      [](unsigned char c) { return c <= 0x20 || c == 0x7f; });
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, Aggregate& out) {
  ObjectReader r(d, json, path,
                 {"parts", "onPartialFailure", "forwardHeaders", "forwardAuthorization"});
  if (r.ok() && r.child("parts") == nullptr) d.fail(r.field("parts"), "is required");
  r.each("parts", [&](const Json& element, const std::string& p) {
    ObjectReader part_reader(d, element, p,
                             {"name", "cluster", "path", "timeout", "required", "maxBodyBytes"});
    AggregatePart& part = out.parts.emplace_back();
    part_reader.get("name", part.name, /*required=*/true);
    part_reader.get("cluster", part.cluster, /*required=*/true);
    part_reader.get("path", part.path, /*required=*/true);
    part_reader.get_duration("timeout", part.timeout);
    if (part_reader.child("required") != nullptr) {
      bool required = false;
      part_reader.get("required", required);
      part.required = required;
    }
    part_reader.get("maxBodyBytes", part.max_body_bytes, 0, ~0ULL);
  });
  get_enum_named(d, r, "onPartialFailure", out.on_partial_failure, kPartialFailureNames);
  if (r.child("forwardHeaders") != nullptr) {
    out.forward_headers.clear();
    get_lower_strings(r, "forwardHeaders", out.forward_headers);
  }
  r.get("forwardAuthorization", out.forward_authorization);
}

Result<void> validate(const Aggregate& aggregate, const std::string& path,
                      const std::unordered_set<std::string>& clusters) {
  const std::string parts = path + ".parts";
  if (auto r = check_count(aggregate.parts.size(), parts, 1, 8); !r.ok()) return r;
  std::vector<std::string> names;
  for (size_t i = 0; i < aggregate.parts.size(); ++i) {
    const AggregatePart& part = aggregate.parts[i];
    const std::string at = index_field(parts, i);
    if (!is_part_name(part.name)) {
      return invalid(at + ".name",
                     "must be 1 to 63 letters, digits, '_' or '-', not starting with a digit "
                     "or '-'");
    }
    if (part.name == "_errors") {
      return invalid(at + ".name",
                     "\"_errors\" is reserved for the missing parts' problem details");
    }
    if (std::find(names.begin(), names.end(), part.name) != names.end()) {
      return invalid(at + ".name", "duplicate part name \"" + part.name + "\"");
    }
    names.push_back(part.name);
    if (clusters.count(part.cluster) == 0) {
      return invalid(at + ".cluster", "unknown cluster \"" + part.cluster + "\"");
    }
    if (!is_part_path(part.path)) {
      return invalid(at + ".path",
                     "must start with '/' and hold no spaces or control characters (at most "
                     "1024 bytes)");
    }
    if (part.timeout < std::chrono::milliseconds(1) || part.timeout > std::chrono::seconds(60)) {
      return invalid(at + ".timeout", "must be between 1ms and 60s");
    }
    if (auto r = check_range(part.max_body_bytes, at + ".maxBodyBytes", 1, 8ULL * 1024 * 1024);
        !r.ok()) {
      return r;
    }
  }
  const std::string headers = path + ".forwardHeaders";
  if (auto r = check_header_names(aggregate.forward_headers, headers, 16); !r.ok()) return r;
  for (size_t i = 0; i < aggregate.forward_headers.size(); ++i) {
    if (aggregate.forward_headers[i] == "authorization") {
      return invalid(index_field(headers, i),
                     "authorization is forwarded only by forwardAuthorization: true");
    }
  }
  return {};
}

Json to_json(const Aggregate& aggregate) {
  Json parts = Json::array();
  for (const AggregatePart& part : aggregate.parts) {
    Json json = {{"name", part.name},
                 {"cluster", part.cluster},
                 {"path", part.path},
                 {"timeout", format_duration(part.timeout)},
                 {"maxBodyBytes", part.max_body_bytes}};
    if (part.required) json["required"] = *part.required;
    parts.push_back(std::move(json));
  }
  return {{"parts", std::move(parts)},
          {"onPartialFailure", enum_name(kPartialFailureNames, aggregate.on_partial_failure)},
          {"forwardHeaders", aggregate.forward_headers},
          {"forwardAuthorization", aggregate.forward_authorization}};
}

}  // namespace archway::config

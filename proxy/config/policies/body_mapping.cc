// requestBody / responseBody: the APIRoute fields' schema (crds/generate.py
// "body_mapping") with its CEL rules, and what only code can check: the
// JSON Pointer syntax of every path (RFC 6901) and a Move into its own
// source.

#include "proxy/config/policies/body_mapping.h"

#include "proxy/config/policies/codec.h"
#include "proxy/config/policies/json_pointer.h"
#include "proxy/config/policies/policy_checks.h"

namespace archway::config {
namespace {

constexpr EnumName<BodyOpKind> kOpNames[] = {{BodyOpKind::kSet, "Set"},
                                             {BodyOpKind::kRemove, "Remove"},
                                             {BodyOpKind::kMove, "Move"},
                                             {BodyOpKind::kWrap, "Wrap"}};
constexpr EnumName<BodyMismatch> kMismatchNames[] = {{BodyMismatch::kPass, "Pass"},
                                                     {BodyMismatch::kReject, "Reject"}};

constexpr size_t kMaxOperations = 32;

// Which fields an operation may carry besides `op` (the CRD's CEL rules).
bool allows(BodyOpKind op, std::string_view field) {
  switch (op) {
    case BodyOpKind::kSet:
      return field == "path" || field == "value";
    case BodyOpKind::kRemove:
      return field == "path";
    case BodyOpKind::kMove:
      return field == "path" || field == "from";
    case BodyOpKind::kWrap:
      return field == "path" || field == "key";
  }
  return false;
}

bool requires_field(BodyOpKind op, std::string_view field) {
  return (field == "path" && op != BodyOpKind::kWrap) ||
         (field == "value" && op == BodyOpKind::kSet) ||
         (field == "from" && op == BodyOpKind::kMove) ||
         (field == "key" && op == BodyOpKind::kWrap);
}

void decode_operation(Decoder& d, const Json& json, const std::string& path, BodyOperation& out) {
  ObjectReader r(d, json, path, {"op", "path", "from", "key", "value"});
  if (r.ok() && r.child("op") == nullptr) d.fail(r.field("op"), "is required");
  get_enum_named(d, r, "op", out.op, kOpNames);
  if (!r.ok()) return;
  const std::string_view op = enum_name(kOpNames, out.op);
  for (const std::string_view field : {"path", "from", "key", "value"}) {
    const bool present = r.child(field) != nullptr;
    if (present && !allows(out.op, field)) {
      d.fail(r.field(field), "is not allowed when op is " + std::string(op));
      return;
    }
    if (!present && requires_field(out.op, field)) {
      d.fail(r.field(field), "is required when op is " + std::string(op));
      return;
    }
  }
  r.get("path", out.path);
  r.get("from", out.from);
  r.get("key", out.key);
  if (const Json* value = r.child("value")) out.value = value->dump();
}

Result<void> check_pointer(std::string_view pointer, const std::string& path) {
  if (pointer.size() > 1024) return invalid(path, "must be at most 1024 bytes");
  if (!parse_json_pointer(pointer)) {
    return invalid(path,
                   "must be a JSON Pointer (RFC 6901): empty or '/'-separated tokens, with "
                   "\"~0\" for '~' and \"~1\" for '/'");
  }
  return {};
}

// RFC 6902 §4.4: a value cannot move into one of its own children.
bool is_proper_prefix(std::string_view prefix, std::string_view pointer) {
  return pointer.size() > prefix.size() && pointer.substr(0, prefix.size()) == prefix &&
         pointer[prefix.size()] == '/';
}

Result<void> validate_operation(const BodyOperation& op, const std::string& path) {
  if (auto r = check_pointer(op.path, path + ".path"); !r.ok()) return r;
  if ((op.op == BodyOpKind::kRemove || op.op == BodyOpKind::kMove) && op.path.empty()) {
    return invalid(path + ".path", "must not be empty (the whole body) for Remove and Move");
  }
  if (op.op == BodyOpKind::kMove) {
    if (auto r = check_pointer(op.from, path + ".from"); !r.ok()) return r;
    if (op.from.empty()) return invalid(path + ".from", "must not be empty (the whole body)");
    if (is_proper_prefix(op.from, op.path)) {
      return invalid(path + ".path", "must not be inside from");
    }
  }
  if (op.op == BodyOpKind::kWrap) {
    if (op.key.empty()) return invalid(path + ".key", "must not be empty");
    if (op.key.size() > 256) return invalid(path + ".key", "must be at most 256 bytes");
  }
  if (op.op == BodyOpKind::kSet) {
    if (op.value.empty()) return invalid(path + ".value", "is required");
    if (op.value.size() > 16 * 1024) return invalid(path + ".value", "must be at most 16 KiB");
    if (!Json::accept(op.value)) return invalid(path + ".value", "must be JSON");
  }
  return {};
}

}  // namespace

void decode(Decoder& d, const Json& json, const std::string& path, BodyMapping& out) {
  ObjectReader r(d, json, path, {"operations", "maxBytes", "onMismatch"});
  if (r.ok() && r.child("operations") == nullptr) d.fail(r.field("operations"), "is required");
  r.each("operations", [&](const Json& element, const std::string& p) {
    decode_operation(d, element, p, out.operations.emplace_back());
  });
  r.get("maxBytes", out.max_bytes, 0, ~0ULL);
  get_enum_named(d, r, "onMismatch", out.on_mismatch, kMismatchNames);
}

Result<void> validate(const BodyMapping& mapping, const std::string& path) {
  const std::string operations = path + ".operations";
  if (auto r = check_count(mapping.operations.size(), operations, 1, kMaxOperations); !r.ok()) {
    return r;
  }
  for (size_t i = 0; i < mapping.operations.size(); ++i) {
    if (auto r = validate_operation(mapping.operations[i], index_field(operations, i)); !r.ok()) {
      return r;
    }
  }
  return check_range(mapping.max_bytes, path + ".maxBytes", 1, kBodyMaxBytesCap);
}

Json to_json(const BodyMapping& mapping) {
  Json operations = Json::array();
  for (const BodyOperation& op : mapping.operations) {
    Json out{{"op", enum_name(kOpNames, op.op)}};
    if (op.op != BodyOpKind::kWrap || !op.path.empty()) out["path"] = op.path;
    if (op.op == BodyOpKind::kMove) out["from"] = op.from;
    if (op.op == BodyOpKind::kWrap) out["key"] = op.key;
    if (op.op == BodyOpKind::kSet) out["value"] = Json::parse(op.value, nullptr, false);
    operations.push_back(std::move(out));
  }
  return Json{{"operations", std::move(operations)},
              {"maxBytes", mapping.max_bytes},
              {"onMismatch", enum_name(kMismatchNames, mapping.on_mismatch)}};
}

}  // namespace archway::config

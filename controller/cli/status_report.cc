#include "controller/cli/status_report.h"

#include "controller/cli/table.h"
#include "controller/compile/reason.h"

namespace archway::controller::cli {
namespace {

using Json = nlohmann::json;

const Json* find_condition(const Json& conditions, const std::string& type) {
  if (!conditions.is_array()) return nullptr;
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

int64_t int_or(const Json& j, const char* key, int64_t fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

void api_route_rows(const Json& route, const compile::ObjectVerdict& verdict,
                    std::vector<StatusRow>& rows) {
  const StatusRow base{"APIRoute", verdict.key.ns, verdict.key.name, "", "", ""};
  const Json status = route.value("status", Json::object());
  const Json conditions = status.value("conditions", Json::array());
  if (conditions.empty()) {
    StatusRow row = base;
    row.condition = "Ready";
    row.reason = "NoStatus";
    row.message = "the controller has written no status yet";
    if (!verdict.accepted) {
      row.message += "; compiled here: Accepted=False " +
                     std::string(compile::reason_name(verdict.accepted_reason)) + ": " +
                     verdict.accepted_message;
    }
    rows.push_back(row);
    return;
  }
  const int64_t generation = int_or(route.value("metadata", Json::object()), "generation", 0);
  bool listed = false;
  for (const char* type : {"Accepted", "ResolvedRefs", "Programmed", "Ready"}) {
    const Json* c = find_condition(conditions, type);
    if (c == nullptr || c->value("status", "") == "True") continue;
    rows.push_back(
        {base.kind, base.ns, base.name, type, c->value("reason", ""), c->value("message", "")});
    listed = true;
  }
  if (const Json* ready = find_condition(conditions, "Ready"); !listed && ready != nullptr) {
    const int64_t observed = int_or(*ready, "observedGeneration", generation);
    if (observed < generation) {
      rows.push_back({base.kind, base.ns, base.name, "Ready", "StaleStatus",
                      "conditions are for generation " + std::to_string(observed) +
                          ", the object is at generation " + std::to_string(generation)});
    }
  }
}

void ingress_rows(const Json& ingress, const compile::ObjectVerdict& verdict,
                  std::vector<StatusRow>& rows) {
  const StatusRow base{"Ingress", verdict.key.ns, verdict.key.name, "", "", ""};
  if (!verdict.accepted) {
    rows.push_back({base.kind, base.ns, base.name, "Accepted",
                    std::string(compile::reason_name(verdict.accepted_reason)),
                    verdict.accepted_message});
  }
  if (!verdict.resolved_refs) {
    rows.push_back({base.kind, base.ns, base.name, "ResolvedRefs",
                    std::string(compile::reason_name(verdict.resolved_reason)),
                    verdict.resolved_message});
  }
  if (!verdict.accepted) return;
  const Json lb = ingress.value("status", Json::object())
                      .value("loadBalancer", Json::object())
                      .value("ingress", Json::array());
  if (!lb.is_array() || lb.empty()) {
    rows.push_back({base.kind, base.ns, base.name, "Programmed", "NoAddress",
                    "status.loadBalancer.ingress is empty: no controller has published an "
                    "address for it yet"});
  }
}

}  // namespace

std::vector<StatusRow> not_ready(const ClusterState& state, compile::CompileOptions options) {
  if (options.version.empty()) options.version = "kubectl-archway";
  const auto compiled = compile::compile(state, options, {});
  std::vector<StatusRow> rows;
  for (const auto& verdict : compiled.verdicts) {
    if (verdict.kind == "APIRoute") {
      const auto it = state.api_routes.find(verdict.key);
      if (it != state.api_routes.end()) api_route_rows(it->second, verdict, rows);
    } else if (verdict.kind == "Ingress") {
      const auto it = state.ingresses.find(verdict.key);
      if (it != state.ingresses.end()) ingress_rows(it->second, verdict, rows);
    }
  }
  return rows;
}

OrderedJson status_json(const std::vector<StatusRow>& rows) {
  OrderedJson items = OrderedJson::array();
  for (const auto& r : rows) {
    items.push_back({{"kind", r.kind},
                     {"namespace", r.ns},
                     {"name", r.name},
                     {"condition", r.condition},
                     {"reason", r.reason},
                     {"message", r.message}});
  }
  return OrderedJson{{"notReady", items}};
}

std::string status_table(const std::vector<StatusRow>& rows) {
  if (rows.empty()) return "Every APIRoute and Ingress of this controller is Ready.\n";
  std::vector<Row> table;
  for (const auto& r : rows) {
    table.push_back({r.kind, r.ns, r.name, r.condition, r.reason, r.message});
  }
  return render_table({"kind", "namespace", "name", "condition", "reason", "message"}, table);
}

}  // namespace archway::controller::cli

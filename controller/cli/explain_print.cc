// The table and JSON forms of an Explanation (explain.h).

#include "controller/cli/explain.h"
#include "controller/cli/table.h"

namespace archway::controller::cli {

OrderedJson explanation_json(const Explanation& e) {
  OrderedJson request = {{"method", e.request.method},
                         {"host", e.request.host},
                         {"path", e.request.path},
                         {"query", e.request.query}};
  OrderedJson headers = OrderedJson::object();
  for (const auto& [name, value] : e.request.headers) headers[name] = value;
  request["headers"] = headers;
  OrderedJson doc = {{"request", request}, {"outcome", e.outcome}};
  if (e.winner) {
    const Winner& w = *e.winner;
    OrderedJson backends = OrderedJson::array();
    for (const auto& b : w.backends) {
      backends.push_back({{"service", b.service},
                          {"port", b.port},
                          {"protocol", b.protocol},
                          {"weight", b.weight},
                          {"cluster", b.cluster}});
    }
    doc["winner"] = {{"kind", w.object.kind},
                     {"namespace", w.object.ns},
                     {"name", w.object.name},
                     {"rule", w.rule},
                     {"host", w.host},
                     {"match", w.match},
                     {"action", w.action},
                     {"actionDetail", w.action_detail},
                     {"backends", backends},
                     {"policies", w.policies},
                     {"backendPolicies", w.backend_policies}};
  } else {
    doc["winner"] = nullptr;
  }
  OrderedJson lost = OrderedJson::array();
  for (const auto& l : e.losers) {
    lost.push_back({{"kind", l.object.kind},
                    {"namespace", l.object.ns},
                    {"name", l.object.name},
                    {"rule", l.rule},
                    {"host", l.host},
                    {"match", l.match},
                    {"reason", l.reason}});
  }
  doc["lost"] = lost;
  doc["warnings"] = e.warnings;
  return doc;
}

std::string explanation_table(const Explanation& e) {
  std::string out = "REQUEST    " + e.request.method + " " + e.request.host + e.request.path +
                    (e.request.query.empty() ? "" : "?" + e.request.query) + "\n";
  for (const auto& [name, value] : e.request.headers)
    out += "           " + name + ": " + value + "\n";
  if (e.winner) {
    const Winner& w = *e.winner;
    out += "WINNER     " + w.object.to_string() + " rule " + w.rule + "\n";
    out += "HOST       " + w.host + "\n";
    out += "MATCH      " + w.match + "\n";
    if (w.action == "backends") {
      out += "BACKENDS   ";
      for (size_t i = 0; i < w.backends.size(); ++i) {
        const auto& b = w.backends[i];
        out += (i ? ", " : "") + b.service + ":" + b.port + " (" + b.protocol + ", weight " +
               std::to_string(b.weight) + ")";
      }
      out += "\n";
    } else {
      out += "ACTION     " + w.action + " " + w.action_detail + "\n";
    }
    std::string chain;
    for (const auto& p : w.policies) chain += p + " -> ";
    chain += "[backend";
    for (size_t i = 0; i < w.backend_policies.size(); ++i) {
      chain += (i ? ", " : ": ") + w.backend_policies[i];
    }
    out += "POLICIES   " + chain + "]\n";
  } else {
    out += "WINNER     none (" + e.outcome + ")\n";
  }
  for (const auto& warning : e.warnings) out += "WARNING    " + warning + "\n";
  if (e.losers.empty()) return out;
  out += "\nLOST TO THE WINNER OR NOT MATCHING:\n";
  std::vector<Row> rows;
  for (const auto& l : e.losers) {
    rows.push_back({l.object.to_string(), l.rule, l.host, l.match, l.reason});
  }
  return out + render_table({"object", "rule", "host", "match", "reason"}, rows);
}

}  // namespace archway::controller::cli

#include "controller/compile/compile.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

#include "controller/compile/ingress_class.h"
#include "controller/compile/json_access.h"
#include "controller/compile/object_translate.h"
#include "controller/compile/vhost_builder.h"

namespace archway::controller::compile {
namespace {

// One object of ours on its way through compile.
struct Work {
  ObjectVerdict verdict;
  std::unique_ptr<TranslatedObject> translated;  // null when left out
};

ObjectVerdict verdict_for(const Json& obj, const char* kind, const ObjectKey& key) {
  ObjectVerdict v;
  v.kind = kind;
  v.key = key;
  const Json& meta = object(obj, "metadata");
  v.uid = str(meta, "uid");
  v.generation = integer(meta, "generation").value_or(0);
  return v;
}

void reject(ObjectVerdict& v, const Problem& p) {
  v.accepted = false;
  v.accepted_reason = p.reason;
  v.accepted_message = p.message;
}

// Copies what translation found into the verdict (refs and notes).
void describe(ObjectVerdict& v, const TranslatedObject& t) {
  if (!t.unresolved.empty()) {
    v.resolved_refs = false;
    v.resolved_reason = t.unresolved.front().reason;
    for (const auto& p : t.unresolved) {
      if (!v.resolved_message.empty()) v.resolved_message += "; ";
      v.resolved_message += p.message;
    }
  }
  if (!t.notes.empty() && v.accepted) {
    v.accepted_message = "not enforced by the proxy yet:";
    for (const auto& n : t.notes) v.accepted_message += " " + n;
  }
}

config::Snapshot base_snapshot(const CompileOptions& options) {
  config::Snapshot s;
  s.version = options.version;
  s.listeners.push_back(config::Listener{"http", "0.0.0.0", options.http_port, false});
  s.listeners.push_back(config::Listener{"https", "0.0.0.0", options.https_port, true});
  return s;
}

}  // namespace

CompileResult compile(const ClusterState& state, const CompileOptions& options,
                      const ObjectMap& last_good_routes) {
  std::vector<Work> work;
  for (const auto& [key, route] : state.api_routes) {
    if (!api_route_is_ours(route, state, options)) continue;
    Work w{verdict_for(route, "APIRoute", key), nullptr};
    TranslateOutcome t = translate_api_route(route, state, options.endpoint_address_map);
    if (!t.ok) {
      reject(w.verdict, t.rejected);
      // Last known good: an older valid generation keeps serving.
      auto good = last_good_routes.find(key);
      if (good != last_good_routes.end() &&
          integer(object(good->second, "metadata"), "generation") != w.verdict.generation) {
        TranslateOutcome old =
            translate_api_route(good->second, state, options.endpoint_address_map);
        if (old.ok) {
          w.verdict.stale_generation_serving = true;
          t = std::move(old);
        }
      }
    }
    if (t.ok) {
      describe(w.verdict, t.object);
      w.translated = std::make_unique<TranslatedObject>(std::move(t.object));
    }
    work.push_back(std::move(w));
  }
  for (const auto& [key, ingress] : state.ingresses) {
    if (!ingress_is_ours(ingress, state, options)) continue;
    Work w{verdict_for(ingress, "Ingress", key), nullptr};
    TranslateOutcome t = translate_ingress(ingress, state, options.endpoint_address_map);
    if (t.ok) {
      describe(w.verdict, t.object);
      w.translated = std::make_unique<TranslatedObject>(std::move(t.object));
    } else {
      reject(w.verdict, t.rejected);
    }
    work.push_back(std::move(w));
  }

  std::vector<Contender> contenders;
  for (const auto& w : work) {
    if (w.translated) contenders.push_back(Contender{w.translated.get(), false, {}});
  }
  Assembly assembly = assemble(contenders);
  for (const auto& c : contenders) {
    if (!c.conflicted) continue;
    for (auto& w : work) {
      if (w.translated.get() != c.object) continue;
      // A stale generation that now conflicts serves nothing either.
      w.verdict.stale_generation_serving = false;
      if (w.verdict.accepted) reject(w.verdict, Problem{"Conflicted", c.conflict_message});
    }
  }

  CompileResult result;
  result.snapshot = base_snapshot(options);
  result.snapshot.virtual_hosts = std::move(assembly.virtual_hosts);
  result.snapshot.clusters = std::move(assembly.clusters);
  for (auto& w : work) result.verdicts.push_back(std::move(w.verdict));
  std::sort(result.verdicts.begin(), result.verdicts.end(),
            [](const ObjectVerdict& a, const ObjectVerdict& b) {
              return std::tie(a.kind, a.key) < std::tie(b.kind, b.key);
            });
  return result;
}

}  // namespace archway::controller::compile

#include "controller/compile/compile.h"

#include <algorithm>
#include <memory>
#include <tuple>
#include <utility>

#include "controller/compile/endpoint_index.h"
#include "controller/compile/ingress_class.h"
#include "controller/compile/json_access.h"
#include "controller/compile/nginx_annotations/canary_merge.h"
#include "controller/compile/object_translate.h"
#include "controller/compile/shadowed_rules.h"
#include "controller/compile/translation_inputs.h"
#include "controller/compile/vhost_builder.h"

namespace archway::controller::compile {
namespace {

// One object of ours on its way through compile.
struct Work {
  ObjectVerdict verdict;
  // Null when left out. Shared with the TranslationCache: what changes it
  // after translation (canary merging) works on a copy.
  std::shared_ptr<const TranslatedObject> translated;
  const Json* last_good = nullptr;  // an older generation that may serve instead
};

using TranslateFn = Result<TranslatedObject, Problem> (*)(const Json&, const ClusterState&,
                                                          const CompileOptions&);

Result<TranslatedObject, Problem> api_route_with(const Json& route, const ClusterState& state,
                                                 const CompileOptions& options) {
  return translate_api_route(route, state, options.policy_enforced);
}

Result<TranslatedObject, Problem> ingress_with(const Json& ingress, const ClusterState& state,
                                               const CompileOptions& options) {
  return translate_ingress(ingress, state, nginx_import_enabled(ingress, state, options));
}

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

void copy_warnings(ObjectVerdict& v, const TranslatedObject& t) {
  v.warnings.clear();
  for (const auto& w : t.warnings) v.warnings.emplace_back(w.reason, w.message);
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
  copy_warnings(v, t);
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

int64_t generation_of(const Json& obj) {
  return integer(object(obj, "metadata"), "generation").value_or(0);
}

// The last good object for `v`, when it is the same object (uid) at another
// generation.
const Json* last_good_for(const ObjectVerdict& v, const ObjectMap& last_good) {
  auto it = last_good.find(v.key);
  if (it == last_good.end()) return nullptr;
  if (str(object(it->second, "metadata"), "uid") != v.uid) return nullptr;
  if (generation_of(it->second) == v.generation) return nullptr;
  return &it->second.json();
}

// Translates the current generation; when it is invalid, the last good one
// keeps serving.
Work translate_one(const Json& obj, const char* kind, const ObjectKey& key, TranslateFn translate,
                   const ObjectMap& last_good, const ClusterState& state,
                   const CompileOptions& options) {
  Work w{verdict_for(obj, kind, key), nullptr, nullptr};
  w.last_good = last_good_for(w.verdict, last_good);
  auto t = translate(obj, state, options);
  if (t.ok()) {
    w.verdict.served_generation = w.verdict.generation;
  } else {
    reject(w.verdict, t.error());
    if (w.last_good != nullptr) {
      auto old = translate(*w.last_good, state, options);
      if (old.ok()) {
        w.verdict.stale_generation_serving = true;
        w.verdict.served_generation = generation_of(*w.last_good);
        t = std::move(old);
      }
    }
  }
  if (t.ok()) {
    describe(w.verdict, *t);
    w.translated = std::make_shared<const TranslatedObject>(std::move(t).value());
  }
  return w;
}

// The assembled hosts' rules that can never match (shadowed_rules.h).
std::vector<ShadowedRule> shadowed_rules_of(const Assembly& assembly) {
  PlacedHosts hosts;
  for (size_t h = 0; h < assembly.virtual_hosts.size(); ++h) {
    const auto& vh = assembly.virtual_hosts[h];
    std::vector<PlacedRoute> placed;
    for (size_t r = 0; r < vh.routes.size(); ++r) {
      if (const TranslatedObject* owner = assembly.route_owners[h][r]) {
        placed.push_back(PlacedRoute{owner, &vh.routes[r]});
      }
    }
    hosts.emplace_back(vh.name, std::move(placed));
  }
  return find_shadowed_rules(hosts);
}

// Conflicts, virtual hosts and clusters from what is still translated; the
// verdicts are copies, so a second assembly starts from the same judgement.
CompileResult assemble_result(const std::vector<Work>& work, const CompileOptions& options,
                              const EndpointIndex& endpoints) {
  std::vector<Contender> contenders;
  for (const auto& w : work) {
    if (w.translated) contenders.push_back(Contender{w.translated.get(), {}});
  }
  Assembly assembly = assemble(contenders);
  const auto shadowed = shadowed_rules_of(assembly);
  CompileResult result;
  for (const auto& w : work) {
    ObjectVerdict v = w.verdict;
    for (const auto& s : shadowed) {
      if (s.owner == w.translated.get()) v.shadowed_rules.push_back(s.message);
    }
    for (const auto& c : contenders) {
      if (!c.conflict || c.object != w.translated.get()) continue;
      // A stale generation that now conflicts serves nothing either.
      v.stale_generation_serving = false;
      v.served_generation = 0;
      if (v.accepted) reject(v, *c.conflict);
    }
    result.verdicts.push_back(std::move(v));
  }
  result.snapshot = base_snapshot(options);
  result.snapshot.virtual_hosts = std::move(assembly.virtual_hosts);
  result.snapshot.clusters = std::move(assembly.clusters);
  fill_endpoints(result.snapshot.clusters, assembly.endpoint_sources, endpoints,
                 options.endpoint_address_map);
  std::sort(result.verdicts.begin(), result.verdicts.end(),
            [](const ObjectVerdict& a, const ObjectVerdict& b) {
              return std::tie(a.kind, a.key) < std::tie(b.kind, b.key);
            });
  return result;
}

// `check` on `s`, stamped with a placeholder version when it has none yet
// (the reconciler stamps the real one after compile).
Result<void> run_check(config::Snapshot& s, const SnapshotCheck& check) {
  if (!s.version.empty()) return check(s);
  s.version = "unversioned";
  auto checked = check(s);
  s.version.clear();
  return checked;
}

// What the proxy's validator says about one object's output on its own:
// nothing, or InvalidForProxy with its message.
Result<void, Problem> proxy_accepts(const TranslatedObject& t, const CompileOptions& options,
                                    const SnapshotCheck& check) {
  std::vector<Contender> alone{Contender{&t, {}}};
  Assembly assembly = assemble(alone);
  config::Snapshot s = base_snapshot(options);
  s.virtual_hosts = std::move(assembly.virtual_hosts);
  s.clusters = std::move(assembly.clusters);
  auto checked = run_check(s, check);
  if (checked.ok()) return {};
  return Problem{Reason::kInvalidForProxy,
                 "the proxy refuses this object's output: " + describe_refusal(s, checked.error())};
}

// The guard (proxy_check.h): leaves out each object whose own output the
// proxy would refuse, falling back to its last good generation when that one
// passes. Runs only when the whole snapshot failed the check, so a valid
// configuration pays for one validation.
void leave_out_refused(std::vector<Work>& work, const ClusterState& state,
                       const CompileOptions& options, const SnapshotCheck& check) {
  for (auto& w : work) {
    if (!w.translated) continue;
    auto accepted = proxy_accepts(*w.translated, options, check);
    if (accepted.ok()) continue;
    const bool was_stale = w.verdict.stale_generation_serving;
    if (!was_stale) reject(w.verdict, accepted.error());
    w.translated.reset();
    w.verdict.stale_generation_serving = false;
    w.verdict.served_generation = 0;
    if (was_stale || w.last_good == nullptr) continue;
    const TranslateFn translate = w.verdict.kind == "Ingress" ? ingress_with : api_route_with;
    auto old = translate(*w.last_good, state, options);
    if (old.ok() && proxy_accepts(*old, options, check).ok()) {
      w.verdict.stale_generation_serving = true;
      w.verdict.served_generation = generation_of(*w.last_good);
      // References as the generation that serves has them.
      w.verdict.resolved_refs = true;
      w.verdict.resolved_reason = Reason::kResolvedRefs;
      w.verdict.resolved_message.clear();
      describe(w.verdict, *old);
      w.translated = std::make_shared<const TranslatedObject>(std::move(old).value());
    }
  }
}

// ingress-nginx canary Ingresses fold into their main Ingress's routes
// (canary_merge.h); what cannot be merged is a Warning on the canary.
void merge_canaries(std::vector<Work>& work) {
  const bool any = std::any_of(work.begin(), work.end(), [](const Work& w) {
    return w.translated && w.translated->canary.has_value();
  });
  if (!any) return;  // nothing to merge: the (cached) translations stay shared
  std::vector<TranslatedObject*> ingresses;
  for (auto& w : work) {
    if (!w.translated || w.verdict.kind != "Ingress") continue;
    auto own = std::make_shared<TranslatedObject>(*w.translated);
    ingresses.push_back(own.get());
    w.translated = std::move(own);
  }
  nginx::merge_canaries(ingresses);
  for (auto& w : work) {
    if (w.translated && w.translated->canary) copy_warnings(w.verdict, *w.translated);
  }
}

}  // namespace

struct TranslationCache::Entry {
  Object object;
  std::optional<Object> last_good;
  ObjectVerdict verdict;
  std::shared_ptr<const TranslatedObject> translated;
};

TranslationCache::TranslationCache() = default;
TranslationCache::~TranslationCache() = default;
TranslationCache::TranslationCache(TranslationCache&&) noexcept = default;
TranslationCache& TranslationCache::operator=(TranslationCache&&) noexcept = default;

namespace {

std::optional<Object> find_object(const ObjectMap& objects, const ObjectKey& key) {
  auto it = objects.find(key);
  if (it == objects.end()) return std::nullopt;
  return it->second;
}

}  // namespace

CompileResult compile(const ClusterState& state, const CompileOptions& options,
                      const LastGoodObjects& last_good, TranslationCache* cache) {
  const bool reusable = cache != nullptr && same_translation_inputs(cache->dependencies_, state);
  std::map<std::pair<std::string, ObjectKey>, TranslationCache::Entry> next;
  size_t translated = 0;
  std::vector<Work> work;
  auto one = [&](const ObjectKey& key, const Object& obj, const char* kind, TranslateFn translate,
                 const ObjectMap& last_good_of_kind) {
    std::optional<Object> older = find_object(last_good_of_kind, key);
    if (reusable) {
      auto it = cache->entries_.find({kind, key});
      // A last good object is rebuilt each cycle (controller/app/last_good.h):
      // equal is as good as the same.
      if (it != cache->entries_.end() && it->second.object.same(obj) &&
          it->second.last_good == older) {
        Work w{it->second.verdict, it->second.translated, nullptr};
        w.last_good = last_good_for(w.verdict, last_good_of_kind);
        work.push_back(std::move(w));
        next.insert(cache->entries_.extract(it));
        return;
      }
    }
    ++translated;
    work.push_back(translate_one(obj, kind, key, translate, last_good_of_kind, state, options));
    if (cache != nullptr) {
      next.emplace(std::pair{std::string(kind), key},
                   TranslationCache::Entry{obj, std::move(older), work.back().verdict,
                                           work.back().translated});
    }
  };
  for (const auto& [key, route] : state.api_routes) {
    if (!api_route_is_ours(route, state, options)) continue;
    one(key, route, "APIRoute", api_route_with, last_good.api_routes);
  }
  for (const auto& [key, ingress] : state.ingresses) {
    if (!ingress_is_ours(ingress, state, options)) continue;
    one(key, ingress, "Ingress", ingress_with, last_good.ingresses);
  }
  if (cache != nullptr) {
    cache->entries_ = std::move(next);
    cache->dependencies_ = translation_inputs(state);
    cache->translated_ = translated;
  }
  merge_canaries(work);
  const EndpointIndex endpoints(state);
  CompileResult result = assemble_result(work, options, endpoints);
  const SnapshotCheck check = options.check_snapshot ? options.check_snapshot : proxy_validates;
  if (!run_check(result.snapshot, check).ok()) {
    leave_out_refused(work, state, options, check);
    result = assemble_result(work, options, endpoints);
  }
  return result;
}

}  // namespace archway::controller::compile

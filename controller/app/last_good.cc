#include "controller/app/last_good.h"

namespace archway::controller::app {
namespace {

using Json = nlohmann::json;

const Json& metadata(const Json& obj) {
  static const Json kEmpty = Json::object();  // immutable: safe to share
  auto it = obj.find("metadata");
  return it != obj.end() && it->is_object() ? *it : kEmpty;
}

std::string uid_of(const Json& obj) {
  auto it = metadata(obj).find("uid");
  return it != metadata(obj).end() && it->is_string() ? it->get<std::string>() : std::string{};
}

int64_t generation_of(const Json& obj) {
  auto it = metadata(obj).find("generation");
  return it != metadata(obj).end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// The annotation of `obj` parsed, or null when absent, malformed or about
// another object.
Json parsed_annotation(const Json& obj) {
  auto annotations = metadata(obj).find("annotations");
  if (annotations == metadata(obj).end() || !annotations->is_object()) return nullptr;
  auto it = annotations->find(kLastGoodAnnotation);
  if (it == annotations->end() || !it->is_string()) return nullptr;
  Json value = Json::parse(it->get<std::string>(), nullptr, false);
  if (!value.is_object() || value.value("uid", "") != uid_of(obj) ||
      !value.contains("generation") || !value["generation"].is_number_integer() ||
      !value.contains("spec") || !value["spec"].is_object()) {
    return nullptr;
  }
  return value;
}

// `obj` as it was at the annotated generation.
Json from_annotation(const Json& obj, const Json& annotation) {
  Json out = obj;
  out["spec"] = annotation["spec"];
  out["metadata"]["generation"] = annotation["generation"];
  return out;
}

void collect(const char* kind, const ObjectMap& objects,
             const std::map<std::tuple<std::string, ObjectKey>, Json>& memory, ObjectMap& out) {
  for (const auto& [key, obj] : objects) {
    const int64_t current = generation_of(obj);
    const Json* best = nullptr;
    Json annotated;
    if (const Json a = parsed_annotation(obj); !a.is_null() && a["generation"] != current) {
      annotated = from_annotation(obj, a);
      best = &annotated;
    }
    if (auto m = memory.find({kind, key});
        m != memory.end() && uid_of(m->second) == uid_of(obj) &&
        generation_of(m->second) != current &&
        (best == nullptr || generation_of(m->second) > generation_of(*best))) {
      best = &m->second;
    }
    if (best != nullptr) out[key] = *best;
  }
}

}  // namespace

std::string last_good_annotation(const Json& object) {
  auto spec = object.find("spec");
  return Json{{"uid", uid_of(object)},
              {"generation", generation_of(object)},
              {"spec", spec != object.end() ? *spec : Json::object()}}
      .dump();
}

int64_t annotated_generation(const Json& object) {
  const Json a = parsed_annotation(object);
  return a.is_null() ? 0 : a["generation"].get<int64_t>();
}

compile::LastGoodObjects LastGood::for_compile(const ClusterState& state) const {
  compile::LastGoodObjects out;
  collect("APIRoute", state.api_routes, memory_, out.api_routes);
  collect("Ingress", state.ingresses, memory_, out.ingresses);
  return out;
}

void LastGood::acked(const compile::CompileResult& result, const ClusterState& state) {
  std::erase_if(memory_, [&](const auto& entry) {
    const auto& [kind, key] = entry.first;
    const ObjectMap& objects = kind == "Ingress" ? state.ingresses : state.api_routes;
    auto it = objects.find(key);
    return it == objects.end() || uid_of(it->second) != uid_of(entry.second);
  });
  for (const auto& v : result.verdicts) {
    if (v.served_generation == 0 || v.served_generation != v.generation) continue;
    const ObjectMap& objects = v.kind == "Ingress" ? state.ingresses : state.api_routes;
    if (auto it = objects.find(v.key); it != objects.end()) memory_[{v.kind, v.key}] = it->second;
  }
}

std::vector<LastGoodWrite> last_good_writes(const compile::CompileResult& result,
                                            const ClusterState& state,
                                            const compile::LastGoodObjects& last_good,
                                            const AckedGenerations& acked) {
  std::vector<LastGoodWrite> out;
  for (const auto& v : result.verdicts) {
    if (v.served_generation == 0 || !acked.holds(v, v.served_generation)) continue;
    const bool ingress = v.kind == "Ingress";
    const ObjectMap& objects = ingress ? state.ingresses : state.api_routes;
    auto current = objects.find(v.key);
    if (current == objects.end()) continue;
    if (annotated_generation(current->second) >= v.served_generation) continue;
    const Json* served = &current->second.json();
    if (v.served_generation != v.generation) {
      const ObjectMap& older = ingress ? last_good.ingresses : last_good.api_routes;
      auto it = older.find(v.key);
      if (it == older.end()) continue;
      served = &it->second.json();
    }
    if (generation_of(*served) != v.served_generation) continue;
    out.push_back({v.kind, v.key, v.uid, v.served_generation, last_good_annotation(*served)});
  }
  return out;
}

}  // namespace archway::controller::app

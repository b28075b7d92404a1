#pragma once
// Test fixtures for compile: Kubernetes objects written as YAML (the way a
// person writes them) → ClusterState, and a verdict/snapshot → JSON for
// golden files.

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "controller/compile/compile.h"
#include "controller/model/cluster_state.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::controller::testing {

using Json = nlohmann::json;

// Plain scalars get YAML 1.2 core types; quoted scalars stay strings.
inline Json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string text = node.Scalar();
      if (node.Tag() == "!") return text;  // quoted
      if (text == "true") return true;
      if (text == "false") return false;
      if (text == "null" || text == "~") return nullptr;
      if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos &&
          text != "-") {
        return std::stoll(text);
      }
      return text;
    }
    default:
      return nullptr;
  }
}

// Adds one object to the map its kind belongs to.
inline void add_object(ClusterState& state, const Json& obj) {
  const std::string kind = obj.value("kind", "");
  const Json& meta = obj.at("metadata");
  ObjectKey key{meta.value("namespace", kind == "IngressClass" ? "" : "default"),
                meta.value("name", "")};
  Json copy = obj;
  if (kind != "IngressClass") copy["metadata"]["namespace"] = key.ns;
  if (kind == "IngressClass")
    state.ingress_classes[key] = copy;
  else if (kind == "Ingress")
    state.ingresses[key] = copy;
  else if (kind == "APIRoute")
    state.api_routes[key] = copy;
  else if (kind == "Service")
    state.services[key] = copy;
  else if (kind == "EndpointSlice")
    state.endpoint_slices[key] = copy;
  else if (kind == "Secret")
    state.secrets[key] = copy;
}

inline ClusterState state_from_yaml(const std::string& text) {
  ClusterState state;
  for (const auto& doc : YAML::LoadAll(text)) {
    if (doc.IsMap()) add_object(state, yaml_to_json(doc));
  }
  return state;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Json verdict_json(const compile::ObjectVerdict& v) {
  return Json{{"kind", v.kind},
              {"key", v.key.to_string()},
              {"generation", v.generation},
              {"accepted", v.accepted},
              {"acceptedReason", compile::reason_name(v.accepted_reason)},
              {"acceptedMessage", v.accepted_message},
              {"resolvedRefs", v.resolved_refs},
              {"resolvedReason", compile::reason_name(v.resolved_reason)},
              {"resolvedMessage", v.resolved_message},
              {"staleGenerationServing", v.stale_generation_serving}};
}

inline Json result_json(const compile::CompileResult& r) {
  Json verdicts = Json::array();
  for (const auto& v : r.verdicts) verdicts.push_back(verdict_json(v));
  return Json{{"snapshot", Json::parse(config::to_json(r.snapshot))}, {"verdicts", verdicts}};
}

inline compile::CompileOptions test_options() {
  compile::CompileOptions options;
  options.version = "test";
  return options;
}

}  // namespace archway::controller::testing

#pragma once
// Test fixtures for compile: Kubernetes objects written as YAML (the way a
// person writes them) → ClusterState, and a verdict/snapshot → JSON for
// golden files.

#include <gtest/gtest.h>
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
  else if (kind == "ReferenceGrant")
    state.reference_grants[key] = copy;
}

// Cached objects are immutable: a test edits a copy and puts it back.
inline void set_at(Object& object, const Json::json_pointer& at, Json value) {
  Json edited = object.json();
  edited[at] = std::move(value);
  object = std::move(edited);
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
  Json out{{"kind", v.kind},
           {"key", v.key.to_string()},
           {"generation", v.generation},
           {"accepted", v.accepted},
           {"acceptedReason", compile::reason_name(v.accepted_reason)},
           {"acceptedMessage", v.accepted_message},
           {"resolvedRefs", v.resolved_refs},
           {"resolvedReason", compile::reason_name(v.resolved_reason)},
           {"resolvedMessage", v.resolved_message},
           {"staleGenerationServing", v.stale_generation_serving}};
  // Only when there are some, so goldens without any stay as they were.
  for (const auto& [reason, message] : v.warnings) {
    out["warnings"].push_back({{"reason", compile::reason_name(reason)}, {"message", message}});
  }
  return out;
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

// A Service `name` in namespace ns (port 80, named web, to targetPort http)
// with one EndpointSlice of one endpoint `address`:`port`: what most
// compile tests route to.
inline std::string service_yaml(const std::string& name, const std::string& cluster_ip,
                                const std::string& address, int port = 8080) {
  return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name +
         ", namespace: ns}\nspec: {clusterIP: " + cluster_ip +
         ", ports: [{name: web, port: 80, targetPort: http}]}\n"
         "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: " +
         name + "-1, namespace: ns, labels: {kubernetes.io/service-name: " + name +
         "}}\naddressType: IPv4\nports: [{name: web, port: " + std::to_string(port) +
         "}]\nendpoints: [{addresses: [" + address + "]}]\n";
}

inline const compile::ObjectVerdict* find_verdict(const compile::CompileResult& r,
                                                  const std::string& kind,
                                                  const std::string& name) {
  for (const auto& v : r.verdicts) {
    if (v.kind == kind && v.key.name == name) return &v;
  }
  return nullptr;
}

// Compiles `objects` with one APIRoute "r" in namespace ns whose rules are
// `rules` (YAML flow items, comma-separated).
inline compile::CompileResult compile_rules(const std::string& objects, const std::string& rules) {
  const std::string route =
      "---\napiVersion: archway.dev/v1alpha1\nkind: APIRoute\nmetadata: {name: r, namespace: ns, "
      "generation: 1, creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec: {rules: [" +
      rules + "]}\n";
  return compile::compile(state_from_yaml(objects + route), test_options(), {});
}

// The verdict on compile_rules' APIRoute "r"; a test failure when missing.
inline const compile::ObjectVerdict& route_verdict(const compile::CompileResult& r) {
  if (const auto* v = find_verdict(r, "APIRoute", "r")) return *v;
  ADD_FAILURE() << "no verdict for APIRoute r";
  static const compile::ObjectVerdict none;
  return none;
}

}  // namespace archway::controller::testing

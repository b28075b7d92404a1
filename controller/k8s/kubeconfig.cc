// Kubeconfig and in-cluster configuration (kube_client.h). yaml-cpp throws on
// malformed input; every exception is caught here and returned as an Error.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/base64.h"
#include "controller/k8s/kube_client.h"

namespace archway::controller::k8s {
namespace {

namespace fs = std::filesystem;

Result<std::string> read_file(const std::string& path, const std::string& field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid(field, "cannot read file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Relative paths in a kubeconfig are relative to the file's directory (as
// kubectl resolves them).
std::string resolve(const fs::path& base_dir, const std::string& p) {
  const fs::path path(p);
  return path.is_absolute() ? p : (base_dir / path).string();
}

// Finds the entry named `name` in a list of {name, <key>: {...}}; an
// undefined node when there is none (a default YAML::Node is a defined
// null, which `!node` would not catch).
YAML::Node find_named(const YAML::Node& list, const std::string& name, const std::string& key) {
  const YAML::Node none(YAML::NodeType::Undefined);
  if (!list || !list.IsSequence()) return none;
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) return item[key];
  }
  return none;
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

// Reads "<key>-data" (base64) or "<key>" (a path); empty when neither is set.
Result<std::string> data_or_file(const YAML::Node& node, const std::string& key,
                                 const fs::path& base_dir, const std::string& field) {
  const std::string data = scalar(node, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = base64_decode(data);
    if (!decoded) return invalid(field + "." + key + "-data", "not valid base64");
    return *decoded;
  }
  const std::string file = scalar(node, key.c_str());
  if (file.empty()) return std::string();
  return read_file(resolve(base_dir, file), field + "." + key);
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

Result<KubeConfig> parse_kubeconfig(const YAML::Node& root, const fs::path& base_dir,
                                    const std::string& context_override) {
  const std::string context_name =
      context_override.empty() ? scalar(root, "current-context") : context_override;
  if (context_name.empty()) return invalid("current-context", "not set");
  const YAML::Node context = find_named(root["contexts"], context_name, "context");
  if (!context) return invalid("contexts", "no context named " + context_name);
  const std::string cluster_name = scalar(context, "cluster");
  const YAML::Node cluster = find_named(root["clusters"], cluster_name, "cluster");
  if (!cluster) return invalid("clusters", "no cluster named " + cluster_name);

  KubeConfig config;
  config.server = scalar(cluster, "server");
  if (config.server.empty()) return invalid("clusters[" + cluster_name + "].server", "not set");
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  const std::string cluster_field = "clusters[" + cluster_name + "]";
  auto ca = data_or_file(cluster, "certificate-authority", base_dir, cluster_field);
  if (!ca) return ca.error();
  config.ca_pem = std::move(*ca);
  config.insecure_skip_tls_verify = scalar(cluster, "insecure-skip-tls-verify") == "true";
  const std::string ns = scalar(context, "namespace");
  if (!ns.empty()) config.default_namespace = ns;

  const std::string user_name = scalar(context, "user");
  if (user_name.empty()) return config;  // anonymous
  const YAML::Node user = find_named(root["users"], user_name, "user");
  if (!user) return invalid("users", "no user named " + user_name);
  const std::string user_field = "users[" + user_name + "]";
  auto cert = data_or_file(user, "client-certificate", base_dir, user_field);
  if (!cert) return cert.error();
  auto key = data_or_file(user, "client-key", base_dir, user_field);
  if (!key) return key.error();
  if (cert->empty() != key->empty()) {
    return invalid(user_field, "client-certificate and client-key must be set together");
  }
  config.client_cert_pem = std::move(*cert);
  config.client_key_pem = std::move(*key);
  config.bearer_token = scalar(user, "token");
  const std::string token_file = scalar(user, "tokenFile");
  if (!token_file.empty()) {
    config.bearer_token_file = resolve(base_dir, token_file);
    if (config.bearer_token.empty()) {
      auto token = read_file(config.bearer_token_file, user_field + ".tokenFile");
      if (!token) return token.error();
      config.bearer_token = trim(std::move(*token));
    }
  }
  if (user["exec"] || user["auth-provider"]) {
    return invalid(user_field, "exec and auth-provider credentials are not supported");
  }
  return config;
}

}  // namespace

Result<KubeConfig> load_kubeconfig(const std::string& path) { return load_kubeconfig(path, ""); }

Result<KubeConfig> load_kubeconfig(const std::string& path, const std::string& context) {
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) return invalid(path, "not a kubeconfig (expected a YAML map)");
    return parse_kubeconfig(root, fs::path(path).parent_path(), context);
  } catch (const YAML::BadFile&) {
    return invalid(path, "cannot read kubeconfig");
  } catch (const std::exception& e) {
    return invalid(path, std::string("malformed kubeconfig: ") + e.what());
  }
}

Result<KubeConfig> load_in_cluster_config() {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return Error{Error::Code::kNotFound, "KUBERNETES_SERVICE_HOST",
                 "not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)"};
  }
  const std::string dir = "/var/run/secrets/kubernetes.io/serviceaccount/";
  KubeConfig config;
  const std::string h(host);
  // An IPv6 service address needs brackets in a URL.
  config.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  config.bearer_token_file = dir + "token";
  auto token = read_file(config.bearer_token_file, "serviceaccount.token");
  if (!token) return token.error();
  config.bearer_token = trim(std::move(*token));
  auto ca = read_file(dir + "ca.crt", "serviceaccount.ca.crt");
  if (!ca) return ca.error();
  config.ca_pem = std::move(*ca);
  if (auto ns = read_file(dir + "namespace", "serviceaccount.namespace"); ns && !ns->empty()) {
    config.default_namespace = trim(std::move(*ns));
  }
  return config;
}

}  // namespace archway::controller::k8s

#pragma once
// The Kubernetes client on cpprestsdk (DESIGN.md §1 Controller). An edge:
// every cpprestsdk exception is caught inside and returned as an Error value.
// Thread-safe: methods may be called from any thread.

#ifdef ARCHWAY_PURE_COMPILE
#error "controller/compile is pure (DESIGN.md §1): it must not include the Kubernetes client"
#endif

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace archway::controller::k8s {

struct KubeConfig {
  std::string server;                           // https://host:port
  std::string ca_pem;                           // empty: system trust
  std::string client_cert_pem, client_key_pem;  // client certificate auth
  std::string bearer_token;                     // token auth
  std::string bearer_token_file;                // re-read on 401 (projected SA tokens rotate)
  std::string default_namespace = "default";
  bool insecure_skip_tls_verify = false;
};

// Reads a kubeconfig file (current-context; inline *-data or file paths).
[[nodiscard]] Result<KubeConfig> load_kubeconfig(const std::string& path);
// The same with a named context instead of current-context (kubectl's
// --context); an empty name means current-context.
[[nodiscard]] Result<KubeConfig> load_kubeconfig(const std::string& path,
                                                 const std::string& context);
// Service-account token, CA and KUBERNETES_SERVICE_HOST/PORT.
[[nodiscard]] Result<KubeConfig> load_in_cluster_config();

struct HttpResult {
  int status = 0;
  nlohmann::json body;  // parsed JSON (Status objects on errors)
};

// A watch event as the API server sent it.
struct WatchEvent {
  std::string type;  // ADDED | MODIFIED | DELETED | BOOKMARK | ERROR
  nlohmann::json object;
};

class KubeClient {
 public:
  virtual ~KubeClient() = default;
  // path: API path incl. query, e.g. "/apis/archway.dev/v1alpha1/apiroutes?limit=500".
  // A non-2xx answer is returned as HttpResult (status set), not an Error;
  // Error means the request could not be made (connection, TLS, timeout).
  virtual Result<HttpResult> get(const std::string& path) = 0;
  virtual Result<HttpResult> post(const std::string& path, const nlohmann::json& body) = 0;
  virtual Result<HttpResult> put(const std::string& path, const nlohmann::json& body) = 0;
  // content_type: application/merge-patch+json or application/strategic-merge-patch+json
  // or application/json-patch+json.
  virtual Result<HttpResult> patch(const std::string& path, const nlohmann::json& body,
                                   const std::string& content_type) = 0;
  virtual Result<HttpResult> del(const std::string& path) = 0;
  // Streams a watch: calls on_event for each line as it arrives until the
  // server closes, `stop()` returns true (checked between events and at least
  // every `poll`), or an error occurs. Returns the HTTP status (200 normally).
  virtual Result<int> watch(const std::string& path,
                            const std::function<void(const WatchEvent&)>& on_event,
                            const std::function<bool()>& stop) = 0;
};

[[nodiscard]] std::unique_ptr<KubeClient> make_kube_client(const KubeConfig& config);

}  // namespace archway::controller::k8s

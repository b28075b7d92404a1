#pragma once
// GoogleMock double of the Kubernetes client seam (controller/k8s/kube_client.h)
// for informer, leader, status and app tests. Helpers build the HttpResult
// shapes the API server returns.

#include <string>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "controller/k8s/kube_client.h"

namespace archway::controller::testing {

class MockKubeClient : public k8s::KubeClient {
 public:
  MOCK_METHOD(Result<k8s::HttpResult>, get, (const std::string& path), (override));
  MOCK_METHOD(Result<k8s::HttpResult>, post, (const std::string& path, const nlohmann::json& body),
              (override));
  MOCK_METHOD(Result<k8s::HttpResult>, put, (const std::string& path, const nlohmann::json& body),
              (override));
  MOCK_METHOD(Result<k8s::HttpResult>, patch,
              (const std::string& path, const nlohmann::json& body,
               const std::string& content_type),
              (override));
  MOCK_METHOD(Result<k8s::HttpResult>, del, (const std::string& path), (override));
  MOCK_METHOD(Result<int>, watch,
              (const std::string& path, const std::function<void(const k8s::WatchEvent&)>& on_event,
               const std::function<bool()>& stop),
              (override));
};

inline Result<k8s::HttpResult> http(int status, nlohmann::json body = nlohmann::json::object()) {
  return k8s::HttpResult{status, std::move(body)};
}

// A metav1.Status body as the API server sends with errors.
inline Result<k8s::HttpResult> http_status(int status, const std::string& reason = "") {
  return k8s::HttpResult{status, {{"kind", "Status"},
                                  {"status", "Failure"},
                                  {"reason", reason},
                                  {"code", status},
                                  {"message", reason}}};
}

// A List response: items and metadata.resourceVersion (+ continue token).
inline Result<k8s::HttpResult> http_list(nlohmann::json items, const std::string& rv,
                                         const std::string& cont = "") {
  nlohmann::json meta = {{"resourceVersion", rv}};
  if (!cont.empty()) meta["continue"] = cont;
  return k8s::HttpResult{200, {{"items", std::move(items)}, {"metadata", std::move(meta)}}};
}

inline nlohmann::json k8s_object(const std::string& ns, const std::string& name,
                                 const std::string& rv, nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json meta = {{"name", name}, {"resourceVersion", rv}};
  if (!ns.empty()) meta["namespace"] = ns;
  extra["metadata"] = std::move(meta);
  return extra;
}

}  // namespace archway::controller::testing

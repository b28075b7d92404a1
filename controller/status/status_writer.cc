// StatusWriter over KubeClient: read the object, compute the status we want,
// skip when equal, else merge-patch the status subresource with the read
// resourceVersion as a precondition and retry on 409 (Contour's approach).

#include <arpa/inet.h>
#include <unistd.h>

#include <cmath>
#include <mutex>

#include <spdlog/spdlog.h>

#include "controller/status/conditions.h"
#include "controller/status/event_dedupe.h"
#include "controller/status/status_writer.h"

#include <cmath>

namespace archway::controller::status {
namespace {

constexpr const char* kMergePatch = "application/merge-patch+json";
constexpr size_t kMaxNote = 1024;  // events.k8s.io/v1 note limit

Error http_error(const std::string& what, const k8s::HttpResult& r) {
  std::string message = r.body.is_object() ? r.body.value("message", "") : "";
  return Error{r.status == 409 ? Error::Code::kConflict : Error::Code::kUnavailable, what,
               "HTTP " + std::to_string(r.status) + " " + message};
}

std::string resource_version(const nlohmann::json& object) {
  return object.value("metadata", nlohmann::json::object()).value("resourceVersion", "");
}

bool is_ip(const std::string& address) {
  unsigned char buf[16];
  return inet_pton(AF_INET, address.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buf) == 1;
}

// Only the fields we own: an entry's ports (set by others) is not compared.
nlohmann::json address_fields(const nlohmann::json& ingress) {
  nlohmann::json out = nlohmann::json::array();
  if (!ingress.is_array()) return out;
  for (const auto& entry : ingress) {
    nlohmann::json e = nlohmann::json::object();
    if (entry.contains("ip")) e["ip"] = entry["ip"];
    if (entry.contains("hostname")) e["hostname"] = entry["hostname"];
    out.push_back(std::move(e));
  }
  return out;
}

class StatusWriterImpl final : public StatusWriter {
 public:
  StatusWriterImpl(k8s::KubeClient& client, StatusWriterOptions options)
      : client_(client), options_(std::move(options)), dedupe_(options_.event_dedupe_window) {
    if (!options_.now) options_.now = [] { return std::chrono::system_clock::now(); };
    if (options_.reporting_instance.empty()) {  // required by events.k8s.io/v1
      char host[256] = {};
      options_.reporting_instance =
          gethostname(host, sizeof host - 1) == 0 && host[0] != '\0' ? host : "archway";
    }
  }

  Result<bool> write_route_status(const RouteStatus& status) override {
    const std::string path =
        "/apis/archway.dev/v1alpha1/namespaces/" + status.key.ns + "/apiroutes/" + status.key.name;
    return read_modify_write(
        path, "status", [&](const nlohmann::json& object) -> std::optional<nlohmann::json> {
          const nlohmann::json current = object.value("status", nlohmann::json::object());
          nlohmann::json conditions =
              merge_conditions(current.value("conditions", nlohmann::json()), status.conditions,
                               status.observed_generation, options_.now());
          nlohmann::json desired = {{"observedGeneration", status.observed_generation},
                                    {"conditions", std::move(conditions)}};
          if (!status.programmed_replicas.empty()) {
            desired["programmedReplicas"] = status.programmed_replicas;
          }
          if (status.programmed_seconds) {
            // Milliseconds are all a person reads; a stable value writes once.
            desired["programmedSeconds"] = std::round(*status.programmed_seconds * 1000) / 1000;
          }
          bool same = true;
          for (const auto& [field, value] : desired.items()) {
            same = same && current.contains(field) && current[field] == value;
          }
          if (same) return std::nullopt;
          return desired;
        });
  }

  Result<bool> write_ingress_load_balancer(const ObjectKey& key,
                                           const std::vector<std::string>& addresses) override {
    const std::string path =
        "/apis/networking.k8s.io/v1/namespaces/" + key.ns + "/ingresses/" + key.name;
    nlohmann::json desired = nlohmann::json::array();
    for (const auto& a : addresses) {
      desired.push_back({{is_ip(a) ? "ip" : "hostname", a}});
    }
    return read_modify_write(
        path, "status", [&](const nlohmann::json& object) -> std::optional<nlohmann::json> {
          const nlohmann::json current = object.value("status", nlohmann::json::object())
                                             .value("loadBalancer", nlohmann::json::object())
                                             .value("ingress", nlohmann::json::array());
          if (address_fields(current) == desired) return std::nullopt;
          return nlohmann::json{{"loadBalancer", {{"ingress", desired}}}};
        });
  }

  Result<bool> write_last_good(const LastGoodAnnotation& a) override {
    const std::string path =
        a.kind == "Ingress"
            ? "/apis/networking.k8s.io/v1/namespaces/" + a.key.ns + "/ingresses/" + a.key.name
            : "/apis/archway.dev/v1alpha1/namespaces/" + a.key.ns + "/apiroutes/" + a.key.name;
    return read_modify_write(
        path, "", [&](const nlohmann::json& object) -> std::optional<nlohmann::json> {
          const nlohmann::json meta = object.value("metadata", nlohmann::json::object());
          if (meta.value("uid", "") != a.uid) return std::nullopt;  // deleted and re-created
          const nlohmann::json annotations = meta.value("annotations", nlohmann::json::object());
          if (auto it = annotations.find(a.name); it != annotations.end() && it->is_string()) {
            const auto current = nlohmann::json::parse(it->get<std::string>(), nullptr, false);
            if (current.is_object() && current.value("uid", "") == a.uid &&
                current.value("generation", int64_t{0}) >= a.generation) {
              return std::nullopt;
            }
          }
          return nlohmann::json{{"annotations", {{a.name, a.value}}}};
        });
  }

  Result<void> emit_event(const EventSpec& event) override {
    const k8s::TimePoint now = options_.now();
    const std::string dedupe_key = event.kind + "|" + event.key.to_string() + "|" + event.type +
                                   "|" + event.reason + "|" + event.note;
    {
      std::lock_guard lock(mu_);
      if (!dedupe_.fresh(dedupe_key, now)) return {};
    }
    // Events live in the object's namespace; cluster-scoped objects
    // (IngressClass) report into "default", as kubectl describe expects.
    const std::string ns = event.key.ns.empty() ? "default" : event.key.ns;
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(nanos));
    nlohmann::json regarding = {
        {"apiVersion", event.api_version}, {"kind", event.kind}, {"name", event.key.name}};
    if (!event.key.ns.empty()) regarding["namespace"] = event.key.ns;
    if (!event.uid.empty()) regarding["uid"] = event.uid;
    const nlohmann::json body = {
        {"apiVersion", "events.k8s.io/v1"},
        {"kind", "Event"},
        {"metadata", {{"name", event.key.name + suffix}, {"namespace", ns}}},
        {"eventTime", k8s::format_micro_time(now)},
        {"reportingController", options_.reporting_controller},
        {"reportingInstance", options_.reporting_instance.substr(0, 128)},
        {"action", event.action.empty() ? std::string("Reconcile") : event.action},
        {"reason", event.reason},
        {"note", event.note.substr(0, kMaxNote)},
        {"type", event.type},
        {"regarding", regarding}};
    auto r = client_.post("/apis/events.k8s.io/v1/namespaces/" + ns + "/events", body);
    if (!r) return r.error();
    if (r->status != 200 && r->status != 201) return http_error("create event", *r);
    std::lock_guard lock(mu_);
    dedupe_.record(dedupe_key, now);  // only once it was written: a failure retries
    return {};
  }

 private:
  // GET path; compute(object) returns the new .status (or, without a
  // subresource, the new metadata fields) or nullopt for "no change";
  // merge-patch path[/subresource] with the read resourceVersion; retry 409.
  template <typename Compute>
  Result<bool> read_modify_write(const std::string& path, const std::string& subresource,
                                 const Compute& compute) {
    for (int attempt = 0; attempt <= options_.max_conflict_retries; ++attempt) {
      auto got = client_.get(path);
      if (!got) return got.error();
      if (got->status == 404) return false;  // deleted: nothing to report on
      if (got->status != 200) return http_error("get " + path, *got);
      std::optional<nlohmann::json> next = compute(got->body);
      if (!next) return false;
      nlohmann::json patch;
      if (subresource == "status") {
        patch = {{"metadata", {{"resourceVersion", resource_version(got->body)}}},
                 {"status", std::move(*next)}};
      } else {
        patch = {{"metadata", std::move(*next)}};
        patch["metadata"]["resourceVersion"] = resource_version(got->body);
      }
      const std::string target = subresource.empty() ? path : path + "/" + subresource;
      auto patched = client_.patch(target, patch, kMergePatch);
      if (!patched) return patched.error();
      if (patched->status == 200) return true;
      if (patched->status == 404) return false;
      if (patched->status != 409) return http_error("patch " + target, *patched);
      spdlog::debug("status write conflict on {}; retrying", path);
    }
    return Error{Error::Code::kConflict, path, "status write kept conflicting"};
  }

  k8s::KubeClient& client_;
  StatusWriterOptions options_;
  std::mutex mu_;  // guards dedupe_
  EventDedupe dedupe_;
};

}  // namespace

std::unique_ptr<StatusWriter> make_status_writer(k8s::KubeClient& client,
                                                 StatusWriterOptions options) {
  return std::make_unique<StatusWriterImpl>(client, std::move(options));
}

std::unique_ptr<StatusWriter> make_status_writer(k8s::KubeClient& client,
                                                 std::string reporting_controller,
                                                 std::string reporting_instance) {
  StatusWriterOptions options;
  options.reporting_controller = std::move(reporting_controller);
  options.reporting_instance = std::move(reporting_instance);
  return make_status_writer(client, std::move(options));
}

}  // namespace archway::controller::status

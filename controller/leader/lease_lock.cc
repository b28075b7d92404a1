#include "controller/leader/lease_lock.h"

#include <spdlog/spdlog.h>

namespace archway::controller::leader {
namespace {

std::optional<k8s::TimePoint> time_field(const nlohmann::json& spec, const char* key) {
  const auto it = spec.find(key);
  if (it == spec.end() || !it->is_string()) return std::nullopt;
  return k8s::parse_time(it->get_ref<const std::string&>());
}

Error http_error(const std::string& what, const k8s::HttpResult& r) {
  std::string message = r.body.is_object() ? r.body.value("message", "") : "";
  return Error{Error::Code::kUnavailable, what, "HTTP " + std::to_string(r.status) + " " + message};
}

}  // namespace

LeaseRecord parse_lease_spec(const nlohmann::json& spec) {
  LeaseRecord r;
  if (!spec.is_object()) return r;
  r.holder = spec.value("holderIdentity", "");
  r.lease_duration_s = spec.value("leaseDurationSeconds", 0);
  r.acquire_time = time_field(spec, "acquireTime");
  r.renew_time = time_field(spec, "renewTime");
  r.transitions = spec.value("leaseTransitions", 0);
  return r;
}

nlohmann::json lease_spec_json(const LeaseRecord& r) {
  nlohmann::json spec = {{"holderIdentity", r.holder},
                         {"leaseDurationSeconds", r.lease_duration_s},
                         {"leaseTransitions", r.transitions}};
  if (r.acquire_time) spec["acquireTime"] = k8s::format_micro_time(*r.acquire_time);
  if (r.renew_time) spec["renewTime"] = k8s::format_micro_time(*r.renew_time);
  return spec;
}

bool lease_expired(const LeaseRecord& r, k8s::TimePoint now) {
  if (r.holder.empty() || !r.renew_time) return true;
  return *r.renew_time + std::chrono::seconds(r.lease_duration_s) < now;
}

LeaseLock::LeaseLock(k8s::KubeClient& client, const LeaderOptions& options)
    : client_(client),
      namespace_(options.lease_namespace),
      name_(options.lease_name),
      identity_(options.identity),
      duration_s_(static_cast<int>(
          std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                   options.lease_duration).count()))) {}

std::string LeaseLock::path() const {
  return "/apis/coordination.k8s.io/v1/namespaces/" + namespace_ + "/leases/" + name_;
}

Result<bool> LeaseLock::try_acquire_or_renew(k8s::TimePoint now) {
  auto got = client_.get(path());
  if (!got) return got.error();
  if (got->status == 404) {
    LeaseRecord mine{identity_, duration_s_, now, now, 0};
    nlohmann::json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                            {"kind", "Lease"},
                            {"metadata", {{"name", name_}, {"namespace", namespace_}}},
                            {"spec", lease_spec_json(mine)}};
    auto created = client_.post(
        "/apis/coordination.k8s.io/v1/namespaces/" + namespace_ + "/leases", lease);
    if (!created) return created.error();
    if (created->status == 200 || created->status == 201) return true;
    if (created->status == 409) return false;  // another replica created it first
    return http_error("create lease", *created);
  }
  if (got->status != 200) return http_error("get lease", *got);

  nlohmann::json lease = std::move(got->body);
  const LeaseRecord current = parse_lease_spec(lease.value("spec", nlohmann::json::object()));
  const bool ours = current.holder == identity_;
  if (!ours && !lease_expired(current, now)) return false;

  LeaseRecord next = current;
  next.holder = identity_;
  next.lease_duration_s = duration_s_;
  next.renew_time = now;
  if (!ours) {
    next.acquire_time = now;
    next.transitions = current.transitions + 1;
    spdlog::info("leader election: taking over lease {}/{} from '{}'", namespace_, name_,
                 current.holder);
  }
  // The PUT carries metadata.resourceVersion from the GET: if anyone wrote the
  // Lease since, the API server answers 409 and we lost this round.
  lease["spec"] = lease_spec_json(next);
  auto updated = client_.put(path(), lease);
  if (!updated) return updated.error();
  if (updated->status == 200) return true;
  if (updated->status == 409) return false;
  return http_error("update lease", *updated);
}

Result<void> LeaseLock::release(k8s::TimePoint now) {
  auto got = client_.get(path());
  if (!got) return got.error();
  if (got->status == 404) return {};
  if (got->status != 200) return http_error("get lease", *got);
  nlohmann::json lease = std::move(got->body);
  LeaseRecord current = parse_lease_spec(lease.value("spec", nlohmann::json::object()));
  if (current.holder != identity_) return {};
  // client-go's release: empty holder and a 1 s duration, so the next
  // candidate sees an expired Lease right away.
  LeaseRecord released{"", 1, now, now, current.transitions};
  lease["spec"] = lease_spec_json(released);
  auto updated = client_.put(path(), lease);
  if (!updated) return updated.error();
  if (updated->status != 200 && updated->status != 409) return http_error("release lease", *updated);
  return {};
}

}  // namespace archway::controller::leader

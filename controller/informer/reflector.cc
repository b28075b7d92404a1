#include "controller/informer/reflector.h"

#include <spdlog/spdlog.h>

namespace archway::controller::informer {
namespace {

std::string api_version_of(const std::string& prefix) {
  if (prefix.rfind("/apis/", 0) == 0) return prefix.substr(6);
  if (prefix.rfind("/api/", 0) == 0) return prefix.substr(5);
  return prefix;
}

std::string resource_version_of(const nlohmann::json& object) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return "";
  return meta->value("resourceVersion", "");
}

std::string status_message(const k8s::HttpResult& r) {
  if (r.body.is_object()) return r.body.value("message", "");
  return "";
}

bool is_gone(const nlohmann::json& status) {
  return status.is_object() && status.value("code", 0) == 410;
}

}  // namespace

Reflector::Reflector(k8s::KubeClient& client, Store& store, k8s::StopSignal& stop,
                     ReflectorConfig config, std::function<void()> on_synced,
                     std::function<void()> on_changed)
    : client_(client),
      store_(store),
      stop_(stop),
      config_(std::move(config)),
      path_(collection_path(*config_.kind, config_.ns)),
      api_version_(api_version_of(config_.kind->api_prefix)),
      on_synced_(std::move(on_synced)),
      on_changed_(std::move(on_changed)),
      backoff_(config_.backoff_initial, config_.backoff_max, config_.seed),
      rng_(static_cast<uint32_t>(config_.seed)) {}

void Reflector::run() {
  const std::string& kind = config_.kind->kind;
  std::string rv;
  bool need_list = true;
  while (!stop_.stopped()) {
    if (need_list) {
      auto listed = list();
      if (!listed) {
        if (listed.error().code == Error::Code::kNotFound) {
          // The CRD is not installed (yet): serve an empty cache so the other
          // kinds work, and look again later.
          spdlog::info("{}: {} not served yet; retrying", kind, path_);
          if (store_.replace(config_.kind->member, config_.ns, {})) on_changed_();
          on_synced_();
        } else {
          spdlog::warn("{}: list failed: {}", kind, listed.error().to_string());
        }
        stop_.sleep_for(backoff_.next());
        continue;
      }
      rv = listed->resource_version;
      const bool changed =
          store_.replace(config_.kind->member, config_.ns, std::move(listed->objects));
      need_list = false;
      backoff_.reset();
      on_synced_();
      if (changed) on_changed_();
    }
    bool delivered = false;
    switch (watch(rv, delivered)) {
      case WatchEnd::kExpired:
        spdlog::info("{}: resourceVersion {} expired; relisting", kind, rv);
        need_list = true;
        break;
      case WatchEnd::kClosed:
        if (delivered) backoff_.reset();
        break;
      case WatchEnd::kFailed:
        if (delivered) backoff_.reset();
        stop_.sleep_for(backoff_.next());
        break;
    }
  }
}

Result<Reflector::ListOutcome> Reflector::list() {
  ListOutcome out;
  std::string cont;
  do {
    std::string path = path_ + "?limit=" + std::to_string(config_.page_size);
    if (!cont.empty()) path += "&continue=" + query_escape(cont);
    auto r = client_.get(path);
    if (!r) return r.error();
    if (r->status == 404 && config_.kind->optional) {
      return Error{Error::Code::kNotFound, path_, "not found"};
    }
    if (r->status != 200) {
      // Includes 410 on an expired continue token: the next attempt starts over.
      return Error{Error::Code::kUnavailable, path_,
                   "HTTP " + std::to_string(r->status) + " " + status_message(*r)};
    }
    const auto& body = r->body;
    if (auto items = body.find("items"); items != body.end() && items->is_array()) {
      for (const auto& item : *items) {
        if (config_.kind->keep != nullptr && !config_.kind->keep(item)) continue;
        out.objects[key_of(item)] = normalized(item);
      }
    }
    const auto meta = body.find("metadata");
    if (meta == body.end() || !meta->is_object()) {
      return Error{Error::Code::kUnavailable, path_, "list without metadata"};
    }
    out.resource_version = meta->value("resourceVersion", "");
    cont = meta->value("continue", "");
    if (!cont.empty() && stop_.stopped()) {
      return Error{Error::Code::kUnavailable, path_, "stopped during a paged list"};
    }
  } while (!cont.empty());
  return out;
}

Reflector::WatchEnd Reflector::watch(std::string& rv, bool& delivered) {
  std::uniform_int_distribution<int> jitter(0, std::max(0, config_.watch_timeout_jitter_s - 1));
  const int timeout_s = config_.watch_timeout_min_s + jitter(rng_);
  const std::string path = path_ +
                           "?watch=1&allowWatchBookmarks=true&resourceVersion=" + query_escape(rv) +
                           "&timeoutSeconds=" + std::to_string(timeout_s);
  bool expired = false;
  bool failed = false;
  auto on_event = [&](const k8s::WatchEvent& event) {
    if (event.type == "ERROR") {
      (is_gone(event.object) ? expired : failed) = true;
      if (failed) {
        spdlog::warn("{}: watch error: {}", config_.kind->kind, event.object.dump());
      }
      return;
    }
    delivered = true;
    if (const std::string next = resource_version_of(event.object); !next.empty()) rv = next;
    if (event.type != "BOOKMARK") apply(event.type, event.object);
  };
  auto stop = [&] { return expired || failed || stop_.stopped(); };
  const auto started = std::chrono::steady_clock::now();
  auto r = client_.watch(path, on_event, stop);
  if (!r) {
    spdlog::warn("{}: watch failed: {}", config_.kind->kind, r.error().to_string());
    return WatchEnd::kFailed;
  }
  if (expired || *r == 410) return WatchEnd::kExpired;
  if (failed) return WatchEnd::kFailed;
  if (*r != 200) {
    spdlog::warn("{}: watch answered HTTP {}", config_.kind->kind, *r);
    // A CRD deleted under us answers 404: relist so that the cache empties.
    return *r == 404 ? WatchEnd::kExpired : WatchEnd::kFailed;
  }
  // A server that closes watches at once would make this loop spin.
  if (!delivered && std::chrono::steady_clock::now() - started < std::chrono::seconds(1) &&
      !stop_.stopped()) {
    return WatchEnd::kFailed;
  }
  return WatchEnd::kClosed;
}

void Reflector::apply(const std::string& type, const nlohmann::json& object) {
  const ObjectKey key = key_of(object);
  bool changed = false;
  if (type == "DELETED" || (config_.kind->keep != nullptr && !config_.kind->keep(object))) {
    changed = store_.remove(config_.kind->member, key);
  } else if (type == "ADDED" || type == "MODIFIED") {
    changed = store_.upsert(config_.kind->member, key, normalized(object));
  }
  if (changed) on_changed_();
}

nlohmann::json Reflector::normalized(nlohmann::json object) const {
  // List items of built-in kinds come without apiVersion/kind; watch events
  // carry them. Set both so the cache holds one shape.
  if (object.is_object()) {
    if (!object.contains("apiVersion")) object["apiVersion"] = api_version_;
    if (!object.contains("kind")) object["kind"] = config_.kind->kind;
  }
  if (config_.kind->status_is_ours && object.is_object()) {
    object.erase("status");
    if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
      meta->erase("resourceVersion");
    }
  }
  return trimmed(std::move(object));
}

}  // namespace archway::controller::informer

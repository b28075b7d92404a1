#include "controller/status/status_publisher.h"

#include <cmath>

#include <spdlog/spdlog.h>

#include <set>

#include "controller/status/route_conditions.h"

namespace archway::controller::status {
namespace {

std::string fingerprint(const RouteStatus& s) {
  std::string out = std::to_string(s.observed_generation);
  for (const auto& c : s.conditions) {
    out +=
        '\x1e' + c.type + '\x1f' + (c.status ? "T" : "F") + '\x1f' + c.reason + '\x1f' + c.message;
  }
  out += '\x1d' + s.programmed_replicas;
  if (s.programmed_seconds)
    out += '\x1d' + std::to_string(std::lround(*s.programmed_seconds * 1000));
  return out;
}

}  // namespace

StatusPublisher::StatusPublisher(StatusWriter& writer)
    : writer_(writer), thread_([this] { loop(); }) {}

StatusPublisher::~StatusPublisher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StatusPublisher::publish(StatusBatch batch) {
  {
    std::lock_guard lock(mu_);
    next_ = std::move(batch);
    pending_ = true;
  }
  cv_.notify_all();
}

void StatusPublisher::reset() {
  std::lock_guard lock(mu_);
  reset_ = true;
}

void StatusPublisher::loop() {
  for (;;) {
    StatusBatch batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return pending_ || stop_; });
      if (stop_) return;
      batch = std::move(next_);
      pending_ = false;
      if (reset_) {
        written_routes_.clear();
        written_ingresses_.clear();
        reset_ = false;
      }
    }
    write(batch);
  }
}

void StatusPublisher::write(const StatusBatch& batch) {
  std::set<ObjectKey> live;
  for (const auto& route : batch.routes) {
    {
      std::lock_guard lock(mu_);
      if (stop_ || pending_) return;  // a newer batch supersedes the rest of this one
    }
    live.insert(route.key);
    const std::string fp = fingerprint(route);
    auto it = written_routes_.find(route.key);
    if (it != written_routes_.end() && it->second == fp) continue;
    auto wrote = writer_.write_route_status(route);
    if (wrote.ok()) {
      written_routes_[route.key] = fp;
    } else {
      spdlog::warn("status of APIRoute {}: {}", route.key.to_string(), wrote.error().to_string());
    }
  }
  std::erase_if(written_routes_, [&](const auto& kv) { return !live.count(kv.first); });
  for (const auto& [key, addresses] : batch.ingress_addresses) {
    auto it = written_ingresses_.find(key);
    if (it != written_ingresses_.end() && it->second == addresses) continue;
    auto wrote = writer_.write_ingress_load_balancer(key, addresses);
    if (wrote.ok()) {
      written_ingresses_[key] = addresses;
    } else {
      spdlog::warn("status of Ingress {}: {}", key.to_string(), wrote.error().to_string());
    }
  }
  for (const auto& annotation : batch.last_good) {
    auto wrote = writer_.write_last_good(annotation);
    if (!wrote.ok()) {
      spdlog::warn("last-good annotation of {} {}: {}", annotation.kind, annotation.key.to_string(),
                   wrote.error().to_string());
    } else if (*wrote) {
      emit(
          programmed_event(annotation.kind, annotation.key, annotation.uid, annotation.generation));
    }
  }
  for (const auto& event : batch.events) emit(event);
}

void StatusPublisher::emit(const EventSpec& event) {
  if (auto emitted = writer_.emit_event(event); !emitted.ok()) {
    spdlog::warn("event on {} {}: {}", event.kind, event.key.to_string(),
                 emitted.error().to_string());
  }
}

}  // namespace archway::controller::status

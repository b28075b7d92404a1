#include "controller/app/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "controller/app/load_balancer.h"
#include "controller/push/proxy_admin_client.h"
#include "proxy/config/snapshot_parser.h"

namespace archway::controller::app {
namespace {

using namespace std::chrono_literals;

// Re-push an unchanged snapshot this often, so a proxy restarted without its
// state directory is programmed again without any change in the cluster.
constexpr auto kResync = 30s;
// How often the proxy's JWKS fetch state is read while routes name a
// jwksUri (a local socket call; the status is written only on a change).
constexpr auto kJwksPoll = 10s;
constexpr auto kMinRetry = 100ms;
constexpr auto kMaxRetry = 5s;

std::string start_stamp() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

}  // namespace

Reconciler::Reconciler(AppOptions options, informer::InformerSet& informers,
                       status::StatusPublisher& publisher, std::function<bool()> is_leader,
                       replicas::ReplicaRegistry* replicas, ProgrammedLatency* latency)
    : options_(std::move(options)),
      informers_(informers),
      publisher_(publisher),
      is_leader_(std::move(is_leader)),
      replicas_(replicas),
      latency_(latency),
      version_prefix_(start_stamp()) {}

void Reconciler::run(Trigger& trigger) {
  std::chrono::milliseconds retry = 0ms;
  // Bounded by trigger.stop(): every wait below returns within kResync.
  while (!trigger.stopped()) {
    const auto idle_wait = jwks_routes_.empty() ? kResync : kJwksPoll;
    const bool changed = trigger.wait(retry > 0ms ? retry : std::chrono::milliseconds(idle_wait));
    if (trigger.stopped()) return;
    if (!informers_.synced()) continue;  // never compile a partial view
    if (!changed && retry == 0ms && std::chrono::steady_clock::now() - pushed_at_ < kResync &&
        !poll_jwks()) {
      continue;
    }
    const CycleResult result = cycle();
    if (result.pushed) trigger.fired();
    if (result.ok) {
      retry = 0ms;
    } else {
      retry = std::clamp(retry * 2, std::chrono::milliseconds(kMinRetry),
                         std::chrono::milliseconds(kMaxRetry));
    }
  }
}

Reconciler::CycleResult Reconciler::cycle() {
  const auto started = std::chrono::steady_clock::now();
  const ClusterState state = informers_.state();
  compile::CompileOptions copts;
  copts.controller_name = options_.controller_name;
  copts.ingress_class = options_.ingress_class;
  copts.watch_ingresses_without_class = options_.watch_ingresses_without_class;
  copts.nginx_annotations = options_.nginx_annotations;
  copts.http_port = options_.http_port;
  copts.https_port = options_.https_port;
  copts.endpoint_address_map = options_.endpoint_address_map;
  const compile::LastGoodObjects last_good = last_good_.for_compile(state);
  compile::CompileResult result = compile::compile(state, copts, last_good, &translations_);
  const auto compiled = std::chrono::steady_clock::now();
  history_.add(AckedGenerations::of(result));
  note_generations(result);

  CycleResult out;
  bool acked_now = false;  // then this snapshot is the one to compare the next with
  // Compared as structures, version still empty: serialising a 10k-host
  // snapshot twice per change cost most of a second (docs/scale.md).
  const bool unchanged = pushed_snapshot_ && *pushed_snapshot_ == result.snapshot &&
                         outcome_.state == status::PushOutcome::State::kAcked &&
                         compiled - pushed_at_ < kResync;
  if (unchanged) {
    // The live snapshot is this one: it holds these generations too (a spec
    // edit that compiles to the same output is programmed without a push).
    acked_.acked(result);
    last_good_.acked(result, state);
  } else {
    out.pushed = true;
    const std::string version = version_prefix_ + "." + std::to_string(++sequence_);
    result.snapshot.version = version;
    auto reply = push::push_snapshot(options_.admin_socket, config::to_json(result.snapshot),
                                     options_.push_timeout);
    result.snapshot.version.clear();
    if (!reply.ok()) {
      spdlog::warn("push to {} failed (will retry): {}", options_.admin_socket,
                   reply.error().to_string());
      out.ok = false;
      // Whatever was ACKed before stays live (acked_ still says which
      // generations); what this snapshot adds is pending.
      outcome_ = {status::PushOutcome::State::kPending,
                  "the proxy is unreachable: " + reply.error().message};
    } else if (reply->ack) {
      outcome_ = {status::PushOutcome::State::kAcked, {}};
      programmed_ = true;
      acked_now = true;
      pushed_at_ = std::chrono::steady_clock::now();
      acked_.acked(result);
      last_good_.acked(result, state);
      spdlog::info(
          "proxy ACKed snapshot {} ({} virtual hosts, {} clusters; compile {} ms, push {} ms; "
          "{} objects translated)",
          version, result.snapshot.virtual_hosts.size(), result.snapshot.clusters.size(),
          std::chrono::duration_cast<std::chrono::milliseconds>(compiled - started).count(),
          std::chrono::duration_cast<std::chrono::milliseconds>(pushed_at_ - compiled).count(),
          translations_.translated_last_time());
    } else {
      outcome_ = {status::PushOutcome::State::kNacked, reply->message};
      pushed_at_ = std::chrono::steady_clock::now();
      spdlog::error("proxy NACKed snapshot {} (version {} stays live): {}", version, reply->version,
                    reply->message);
    }
  }
  report_to_replicas();
  jwks_routes_ = status::jwks_uris_by_route(result.snapshot);
  if (is_leader_()) publisher_.publish(status_batch(result, state, last_good));
  if (acked_now) {
    // Moved, not copied: at 10k hosts a second copy is tens of MiB.
    pushed_snapshot_ = std::make_shared<const config::Snapshot>(std::move(result.snapshot));
  }
  return out;
}

bool Reconciler::poll_jwks() {
  const auto now = std::chrono::steady_clock::now();
  if (jwks_routes_.empty() || now - jwks_polled_at_ < kJwksPoll) return false;
  jwks_polled_at_ = now;
  auto reports = push::fetch_jwks_status(options_.admin_socket, options_.push_timeout);
  if (!reports.ok()) {
    // Nothing new is known; the conditions keep what they said.
    spdlog::debug("GET /jwks from the proxy failed: {}", reports.error().to_string());
    return false;
  }
  if (*reports == jwks_reports_) return false;
  jwks_reports_ = std::move(reports).value();
  return true;
}

void Reconciler::report_to_replicas() const {
  if (replicas_ == nullptr) return;
  using State = status::PushOutcome::State;
  const auto state = outcome_.state == State::kAcked    ? replicas::ProxyState::kAcked
                     : outcome_.state == State::kNacked ? replicas::ProxyState::kNacked
                                                        : replicas::ProxyState::kPending;
  replicas_->report(acked_.digest(), state, outcome_.message);
}

void Reconciler::note_generations(const compile::CompileResult& result) {
  const auto now = std::chrono::steady_clock::now();
  std::map<ObjectId, Seen> next;
  for (const auto& v : result.verdicts) {
    ObjectId id{v.kind, v.key};
    auto it = seen_.find(id);
    if (it != seen_.end() && it->second.generation == v.generation) {
      next.emplace(std::move(id), it->second);
    } else {
      next.emplace(std::move(id), Seen{v.generation, now, std::nullopt});
    }
  }
  seen_ = std::move(next);  // objects gone are forgotten
}

status::ReplicaProgress Reconciler::progress(const compile::ObjectVerdict& v,
                                             const std::vector<replicas::ReplicaReport>& peers) {
  status::ReplicaProgress p;
  const bool own = acked_.holds(v);
  p.serving = own ? 1 : 0;
  p.total = 1 + static_cast<int>(peers.size());
  for (const auto& peer : peers) {
    const AckedGenerations* held = history_.find(peer.digest);
    if (held != nullptr && held->holds(v)) {
      ++p.serving;
      continue;
    }
    std::string why = "has not acknowledged it";
    if (peer.state == replicas::ProxyState::kNacked) {
      why = "its proxy rejected the snapshot: " + peer.message;
      p.any_rejected = true;
    } else if (peer.state == replicas::ProxyState::kPending && !peer.message.empty()) {
      why = peer.message;
    }
    p.waiting.push_back(peer.identity + " (" + why + ")");
  }
  auto seen = seen_.find({v.kind, v.key});
  if (seen == seen_.end() || seen->second.generation != v.generation) return p;
  if (own && p.waiting.empty() && !seen->second.programmed_seconds) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - seen->second.at).count();
    seen->second.programmed_seconds = s;
    if (latency_ != nullptr) latency_->observe(s);
  }
  p.programmed_seconds = seen->second.programmed_seconds;
  return p;
}

status::StatusBatch Reconciler::status_batch(const compile::CompileResult& result,
                                             const ClusterState& state,
                                             const compile::LastGoodObjects& last_good) {
  status::StatusBatch batch;
  const auto addresses = publish_addresses(options_, state);
  const auto peers =
      replicas_ != nullptr ? replicas_->peers() : std::vector<replicas::ReplicaReport>{};
  for (const auto& v : result.verdicts) {
    const bool programmed = acked_.holds(v);
    for (auto& e : status::warning_events(v, outcome_, programmed))
      batch.events.push_back(std::move(e));
    if (v.kind == "APIRoute") {
      status::RouteStatus route = status::route_status(v, outcome_, programmed, progress(v, peers));
      // Beside Ready, never inside it: an issuer that is down is not the
      // route's fault (docs/decisions.md).
      if (const auto uris = jwks_routes_.find(v.key.ns + "/" + v.key.name);
          uris != jwks_routes_.end()) {
        if (auto jwks = status::jwks_condition(uris->second, jwks_reports_)) {
          route.conditions.push_back(std::move(*jwks));
        }
      }
      batch.routes.push_back(std::move(route));
    } else if (v.kind == "Ingress" && v.served_generation > 0 && !addresses.empty()) {
      batch.ingress_addresses[v.key] = addresses;
    }
  }
  for (auto& w : last_good_writes(result, state, last_good, acked_)) {
    batch.last_good.push_back(
        {w.kind, w.key, w.uid, w.generation, kLastGoodAnnotation, std::move(w.value)});
  }
  return batch;
}

}  // namespace archway::controller::app

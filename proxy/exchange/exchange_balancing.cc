// The exchange's side of balancing (docs/resilience.md "Balancing"): the
// key a ConsistentHash cluster hashes, the endpoint pick with outlier
// ejection and health checks applied on top, and the attempt's count of
// requests in flight on its endpoint. The choice itself is
// proxy/balancing/'s.

#include "proxy/balancing/affinity_cookie.h"
#include "proxy/balancing/hash.h"
#include "proxy/exchange/exchange.h"
#include "proxy/resilience/endpoint_choice.h"

namespace archway::exchange {

void Exchange::pick_endpoint() {
  const balancing::Balancer& balancer = *cluster_->balancer;
  balancing::PickInput in;
  in.random = worker_.rng()();
  if (balancer.policy() == balancing::Policy::kConsistentHash) {
    in.hash = balancing_key();
  } else if (balancer.policy() == balancing::Policy::kRoundRobin) {
    in.round_robin = worker_.balancing().round_robin(cluster_->cluster->name, balancer.size());
  }
  endpoint_index_ = balancer.pick(in);
  // An ejected or unhealthy pick moves on to the next usable endpoint.
  endpoint_index_ = usable_endpoint(endpoint_index_);
  endpoint_ = cluster_->endpoints[endpoint_index_];
  // Counted until the attempt ends (release_backend); a new pick for
  // another attempt gives this one back first.
  in_flight_ = balancer.start(endpoint_index_);
}

size_t Exchange::usable_endpoint(size_t picked) const {
  const resilience::ClusterResilience& r = cluster_->resilience;
  if (!r.outlier && !r.health) return picked;
  return resilience::choose_endpoint(picked, cluster_->endpoints.size(), r.outlier.get(),
                                     r.health.get(), std::chrono::steady_clock::now());
}

std::optional<uint64_t> Exchange::balancing_key() {
  const auto& balancer = cluster_->cluster->load_balancer;
  if (!balancer || !balancer->hash_on) return std::nullopt;
  const config::HashOn& on = *balancer->hash_on;
  if (on.client_address) return balancing::hash_key(request_->client_ip);
  if (on.header) {
    for (const auto& h : request_->headers) {
      if (h.name == *on.header) return balancing::hash_key(h.value);
    }
    return std::nullopt;  // no key: a random endpoint
  }
  if (!on.cookie) return std::nullopt;
  for (const auto& h : request_->headers) {
    if (h.name != "cookie") continue;
    if (auto value = balancing::find_cookie(h.value, on.cookie->name)) {
      return balancing::hash_key(*value);
    }
  }
  // No cookie yet: make one up, hash on it, and hand it to the client with
  // the response so that its next requests land here too.
  const std::string value = balancing::cookie_value(worker_.rng()());
  affinity_cookie_ = balancing::set_cookie(on.cookie->name, value, on.cookie->ttl, on.cookie->path);
  return balancing::hash_key(value);
}

}  // namespace archway::exchange

#include "proxy/filters/registry.h"

#include <array>
#include <string_view>
#include <vector>

#include "proxy/filters/aggregate/aggregate.h"
#include "proxy/filters/auth/auth.h"
#include "proxy/filters/body_map/body_map.h"
#include "proxy/filters/cache/cache.h"
#include "proxy/filters/cors/cors.h"
#include "proxy/filters/direct_response/direct_response.h"
#include "proxy/filters/rate_limit/rate_limit.h"
#include "proxy/filters/redirect/redirect.h"
#include "proxy/filters/request_transform/request_transform.h"
#include "proxy/filters/response_transform/response_transform.h"
#include "proxy/filters/versioning/versioning.h"

namespace archway::filters {
namespace {

const config::Cors* cors_policy(const config::Route& route) {
  return route.policies.cors ? &*route.policies.cors : nullptr;
}

// What a policy's config is compiled from.
struct ChainInputs {
  const config::Route& route;
  const config::Cors* cors;
  SharedPolicyState& shared;
};

using Make = std::unique_ptr<const FilterConfig> (*)(const ChainInputs&);

// One entry of the chain: the policy's name as users read it (what
// policy_names() reports, e.g. to kubectl-archway's explain) and how its
// config is made.
struct ChainEntry {
  std::string_view name;
  Make make;
};

// The chain's order. Request phase top to bottom; response phase bottom to
// top, for the filters the request phase reached. Response transformation
// sits after request transformation (it has no request hook) and before
// the route's local answers, so that redirect and directResponse answers
// get responseHeaders, as the backend's responses do. Body mapping sits
// between the two transformations: its request body is the rewritten
// request's, and its response head passes response transformation after
// the body is mapped (the whole head waits for the body).
constexpr std::array<ChainEntry, 12> kChainOrder = {{
    // First: a cleartext request is sent to https before any policy sees
    // it (ingress-nginx redirects before CORS, auth and limits too).
    {"httpsRedirect", [](const ChainInputs& in) { return make_https_redirect_filter(in.route); }},
    {"cors", [](const ChainInputs& in) { return in.cors ? make_cors_filter(*in.cors) : nullptr; }},
    // After CORS (a preflight carries no version header, and a browser
    // must be able to read a 400/406/410), before everything else, so
    // every other response of a version carries its Deprecation, Sunset
    // and Link fields, other filters' local answers included.
    {"versioning", [](const ChainInputs& in) { return make_versioning_filter(in.route); }},
    {"auth",
     [](const ChainInputs& in) {
       return in.route.policies.auth ? make_auth_filter(*in.route.policies.auth, in.shared)
                                     : nullptr;
     }},
    {"rateLimit",
     [](const ChainInputs& in) {
       return in.route.policies.rate_limit
                  ? make_rate_limit_filter(*in.route.policies.rate_limit, in.route.name, in.shared)
                  : nullptr;
     }},
    // cache lookup here; its store runs in the response phase, after
    // response transformation (the reverse order), so the stored head is
    // what clients of the backend get.
    {"cache",
     [](const ChainInputs& in) {
       return in.route.policies.cache
                  ? make_cache_filter(*in.route.policies.cache, in.route, in.shared)
                  : nullptr;
     }},
    {"requestTransform",
     [](const ChainInputs& in) { return make_request_transform_filter(in.route); }},
    {"bodyMapping", [](const ChainInputs& in) { return make_body_map_filter(in.route); }},
    {"responseTransform",
     [](const ChainInputs& in) { return make_response_transform_filter(in.route); }},
    {"redirect", [](const ChainInputs& in) { return make_redirect_filter(in.route); }},
    {"directResponse", [](const ChainInputs& in) { return make_direct_response_filter(in.route); }},
    // aggregate: the route's action, after everything that may refuse or
    // answer from the cache, so its composed answer is stored and
    // transformed as a backend's would be (docs/aggregation.md).
    {"aggregate", [](const ChainInputs& in) { return make_aggregate_filter(in.route); }},
    // [backend]; log/metrics: the exchange's.
}};
static_assert(kChainOrder.size() <= kMaxFiltersPerRoute);

}  // namespace

uint64_t route_cache_fingerprint(const config::Route& route) { return cache_fingerprint(route); }

CompiledChain compile_chain(const config::Route& route) {
  return compile_chain(route, cors_policy(route));
}

CompiledChain compile_chain(const config::Route& route, const config::Cors* cors) {
  SharedPolicyState fresh;  // the filters keep what they need of it
  return compile_chain(route, cors, fresh);
}

CompiledChain compile_chain(const config::Route& route, SharedPolicyState& shared) {
  return compile_chain(route, cors_policy(route), shared);
}

CompiledChain compile_chain(const config::Route& route, const config::Cors* cors,
                            SharedPolicyState& shared) {
  CompiledChain chain;
  const ChainInputs inputs{route, cors, shared};
  for (const ChainEntry& entry : kChainOrder) {
    if (auto filter = entry.make(inputs)) chain.filters.push_back(std::move(filter));
  }
  chain.routes_preflight_by_requested_method = cors != nullptr;
  return chain;
}

std::vector<std::string_view> policy_names(const config::Route& route) {
  SharedPolicyState fresh;
  const ChainInputs inputs{route, cors_policy(route), fresh};
  std::vector<std::string_view> names;
  for (const ChainEntry& entry : kChainOrder) {
    if (entry.make(inputs) != nullptr) names.push_back(entry.name);
  }
  return names;
}

}  // namespace archway::filters

#include "proxy/filters/request_transform/request_transform.h"

#include "proxy/filters/header_ops.h"
#include "proxy/routing/route_actions.h"

namespace archway::filters {
namespace {

class RequestTransformFilter final : public StatelessFilter {
 public:
  explicit RequestTransformFilter(const config::Route& route) : route_(route) {}

  FilterStatus on_request(FilterContext& ctx, LocalReply&) override {
    const config::Rewrite& rewrite = route_.rewrite;
    if (rewrite.full_path || rewrite.path_prefix) {
      ctx.path = routing::rewrite_path(ctx.match, ctx.path);
    }
    if (rewrite.hostname) {
      ctx.client_authority = std::move(ctx.request.authority);  // the access log shows the client's
      ctx.request.authority = *rewrite.hostname;
    }
    apply_header_ops(route_.request_headers, ctx.request.headers);
    return FilterStatus::kContinue;
  }

 private:
  const config::Route& route_;  // in the snapshot the table context pins
};

bool has_ops(const config::HeaderOps& ops) {
  return !ops.set.empty() || !ops.add.empty() || !ops.remove.empty();
}

}  // namespace

std::unique_ptr<const FilterConfig> make_request_transform_filter(const config::Route& route) {
  const config::Rewrite& rw = route.rewrite;
  const bool rewrites = rw.full_path || rw.path_prefix || rw.hostname;
  if (route.backends.empty() || (!rewrites && !has_ops(route.request_headers))) return nullptr;
  return std::make_unique<RequestTransformFilter>(route);
}

}  // namespace archway::filters

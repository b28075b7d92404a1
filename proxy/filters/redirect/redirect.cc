#include "proxy/filters/redirect/redirect.h"

#include "proxy/routing/redirect.h"

namespace archway::filters {
namespace {

class RedirectFilter final : public StatelessFilter {
 public:
  explicit RedirectFilter(const config::Redirect& redirect) : redirect_(redirect) {}

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    reply.status = redirect_.status_code;
    reply.headers.push_back({"location", routing::redirect_location(
                                             redirect_, {ctx.request.scheme, ctx.request.authority,
                                                         ctx.path, ctx.query})});
    return FilterStatus::kLocalReply;
  }

 private:
  const config::Redirect& redirect_;  // in the snapshot the table context pins
};

// Route::https_redirect: cleartext requests go to the same URL over https
// (the default https port: a listener elsewhere sits behind a Service or a
// load balancer on 443, as ingress-nginx assumes too).
class HttpsRedirectFilter final : public StatelessFilter {
 public:
  explicit HttpsRedirectFilter(uint16_t status) {
    redirect_.scheme = "https";
    redirect_.status_code = status;
  }

  FilterStatus on_request(FilterContext& ctx, LocalReply& reply) override {
    if (ctx.request.scheme == "https") return FilterStatus::kContinue;
    reply.status = redirect_.status_code;
    reply.headers.push_back({"location", routing::redirect_location(
                                             redirect_, {ctx.request.scheme, ctx.request.authority,
                                                         ctx.path, ctx.query})});
    return FilterStatus::kLocalReply;
  }

 private:
  config::Redirect redirect_;
};

}  // namespace

std::unique_ptr<const FilterConfig> make_https_redirect_filter(const config::Route& route) {
  if (!route.https_redirect) return nullptr;
  return std::make_unique<HttpsRedirectFilter>(*route.https_redirect);
}

std::unique_ptr<const FilterConfig> make_redirect_filter(const config::Route& route) {
  if (!route.redirect) return nullptr;
  return std::make_unique<RedirectFilter>(*route.redirect);
}

}  // namespace archway::filters

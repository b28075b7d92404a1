#include "proxy/filters/direct_response/direct_response.h"

namespace archway::filters {
namespace {

class DirectResponseFilter final : public StatelessFilter {
 public:
  explicit DirectResponseFilter(const config::DirectResponse& response) : response_(response) {}

  FilterStatus on_request(FilterContext&, LocalReply& reply) override {
    reply.status = response_.status;
    reply.headers.push_back({"content-type", response_.content_type});
    reply.body = response_.body;
    return FilterStatus::kLocalReply;
  }

 private:
  const config::DirectResponse& response_;  // in the snapshot the table context pins
};

}  // namespace

std::unique_ptr<const FilterConfig> make_direct_response_filter(const config::Route& route) {
  if (!route.direct_response) return nullptr;
  return std::make_unique<DirectResponseFilter>(*route.direct_response);
}

}  // namespace archway::filters

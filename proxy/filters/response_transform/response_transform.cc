#include "proxy/filters/response_transform/response_transform.h"

#include "proxy/filters/header_ops.h"

namespace archway::filters {
namespace {

class ResponseTransformFilter final : public StatelessFilter {
 public:
  explicit ResponseTransformFilter(const config::HeaderOps& ops) : ops_(ops) {}

  [[nodiscard]] bool has_request_hook() const override { return false; }
  [[nodiscard]] bool has_response_hook() const override { return true; }

  FilterStatus on_request(FilterContext&, LocalReply&) override { return FilterStatus::kContinue; }
  void on_response_head(FilterContext&, http::Response& response) override {
    apply_header_ops(ops_, response.headers);
  }

 private:
  const config::HeaderOps& ops_;  // in the snapshot the table context pins
};

}  // namespace

std::unique_ptr<const FilterConfig> make_response_transform_filter(const config::Route& route) {
  const config::HeaderOps& ops = route.response_headers;
  if (ops.set.empty() && ops.add.empty() && ops.remove.empty()) return nullptr;
  return std::make_unique<ResponseTransformFilter>(ops);
}

}  // namespace archway::filters

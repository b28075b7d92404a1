#include "proxy/exchange/route_request.h"

namespace archway::exchange {
namespace {

std::optional<routing::RouteMatch> match_preflight(const TableContext& table,
                                                   const routing::RequestHead& head,
                                                   const http::Headers& headers) {
  const http::Header* origin = nullptr;
  const http::Header* method = nullptr;
  for (const auto& h : headers) {
    if (h.name == "origin") origin = &h;
    if (h.name == "access-control-request-method") method = &h;
  }
  if (origin == nullptr || method == nullptr || method->value.empty()) return std::nullopt;
  routing::RequestHead announced = head;
  announced.method = method->value;
  auto match = table.table->match(announced);
  if (!match || !table.chain(*match->route).routes_preflight_by_requested_method) {
    return std::nullopt;
  }
  return match;
}

}  // namespace

std::optional<routing::RouteMatch> route_request(const TableContext& table,
                                                 const routing::RequestHead& head,
                                                 const http::Headers& headers) {
  if (head.method == "OPTIONS") {
    if (auto match = match_preflight(table, head, headers)) return match;
  }
  return table.table->match(head);
}

}  // namespace archway::exchange

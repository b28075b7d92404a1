#include "proxy/outbound/http_client.h"

#include "proxy/outbound/fetch.h"

namespace archway::outbound {

void FetchHandle::cancel() {
  if (fetch_) {
    fetch_->cancel();
    fetch_.reset();
  }
}

bool FetchHandle::pending() const { return fetch_ && fetch_->pending(); }

HttpClient::HttpClient(boost::asio::io_context& io, BackendPools& pools) : io_(io), pools_(pools) {}

HttpClient::~HttpClient() {
  auto live = std::move(live_);
  live_.clear();
  for (Fetch* fetch : live) fetch->abandon();
}

FetchHandle HttpClient::fetch(OutboundRequest request, Callback done) {
  auto fetch = std::make_shared<Fetch>(*this, std::move(request), std::move(done));
  fetch->start();
  return FetchHandle(std::move(fetch));
}

void HttpClient::fetch_detached(OutboundRequest request, Callback done) {
  const uint64_t id = next_detached_++;
  // A callback may destroy its own handle (fetch.cc: the lambda lives on
  // in Fetch::deliver's frame meanwhile).
  detached_.emplace(id, fetch(std::move(request),
                              [this, id, done = std::move(done)](Result<OutboundResponse> result) {
                                detached_.erase(id);
                                done(std::move(result));
                              }));
}

}  // namespace archway::outbound

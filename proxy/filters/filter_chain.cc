#include "proxy/filters/filter_chain.h"

namespace archway::filters {

void Resume::operator()(FilterStatus status, LocalReply reply) {
  const std::shared_ptr<FilterChain*> chain = chain_.lock();
  chain_.reset();
  if (chain == nullptr || *chain == nullptr) return;
  (*chain)->resume(status, std::move(reply));
}

FilterChain::FilterChain(const std::vector<std::unique_ptr<const FilterConfig>>& configs,
                         ChainOwner& owner)
    : owner_(owner) {
  filters_.reserve(configs.size());
  for (const auto& config : configs) filters_.push_back(config->create());
}

FilterChain::~FilterChain() { cancel(); }

void FilterChain::start(http::Request& request) {
  request_ = &request;
  next_ = 0;
  run();
}

void FilterChain::run() {
  while (next_ < filters_.size()) {
    ExchangeFilter& filter = *filters_[next_];
    LocalReply reply;
    alive_ = std::make_shared<FilterChain*>(this);
    const FilterStatus status = filter.on_request(*request_, reply, Resume(alive_));
    switch (status) {
      case FilterStatus::kContinue:
        alive_.reset();
        ++next_;
        continue;
      case FilterStatus::kLocalReply:
        alive_.reset();
        next_ = filters_.size();
        owner_.on_chain_local_reply(std::move(reply));
        return;
      case FilterStatus::kSuspend:
        suspended_ = true;
        return;
    }
  }
  owner_.on_chain_continue();
}

void FilterChain::resume(FilterStatus status, LocalReply reply) {
  if (!suspended_) return;
  suspended_ = false;
  alive_.reset();
  if (status == FilterStatus::kLocalReply) {
    next_ = filters_.size();
    owner_.on_chain_local_reply(std::move(reply));
    return;
  }
  // kSuspend again is not a decision; treat it as continue.
  ++next_;
  run();
}

void FilterChain::cancel() {
  if (!suspended_) return;
  suspended_ = false;
  alive_.reset();  // the suspended filter's Resume is inert from here
  filters_[next_]->on_cancel();
}

}  // namespace archway::filters

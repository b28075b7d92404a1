#include "proxy/filters/filter_chain.h"

#include <algorithm>

namespace archway::filters {

void Resume::operator()(FilterStatus status, LocalReply reply) {
  const std::shared_ptr<FilterChain*> chain = chain_.lock();
  chain_.reset();
  if (chain == nullptr || *chain == nullptr) return;
  (*chain)->resume(status, std::move(reply));
}

Resume FilterContext::suspend() { return chain_->make_resume(); }

uintptr_t& FilterContext::state() { return chain_->slots_[slot_].state; }

Resume FilterChain::make_resume() {
  alive_ = std::make_shared<FilterChain*>(this);
  return Resume(alive_);
}

void FilterChain::start(const CompiledChain& chain, FilterContext& ctx) {
  ctx_ = &ctx;
  ctx.chain_ = this;
  count_ = std::min(chain.filters.size(), slots_.size());
  for (size_t i = 0; i < count_; ++i) {
    slots_[i].config = chain.filters[i].get();
    slots_[i].filter = chain.filters[i]->create();
    if (body_slot_ == kMaxFiltersPerRoute && slots_[i].config->has_body_transform()) {
      body_slot_ = i;
    }
  }
  next_ = 0;
  run();
}

void FilterChain::run() {
  while (next_ < count_) {
    Slot& slot = slots_[next_];
    ran_ = next_ + 1;
    if (!slot.config->has_request_hook()) {
      ++next_;
      continue;
    }
    LocalReply reply;
    ctx_->slot_ = next_;
    switch (slot.filter->on_request(*ctx_, reply)) {
      case FilterStatus::kContinue:
        if (alive_ != nullptr) alive_.reset();  // a handle taken, then not used
        ++next_;
        continue;
      case FilterStatus::kLocalReply:
        if (alive_ != nullptr) alive_.reset();
        local_reply(std::move(reply));
        return;
      case FilterStatus::kSuspend:
        if (alive_ == nullptr) {
          // A bug in the filter: nothing could ever resume the chain.
          local_reply(
              LocalReply{.status = 500,
                         .headers = {{"content-type", "application/json"}},
                         .body = R"({"error":"filter suspended without resume","status":500})"});
          return;
        }
        suspended_ = true;
        return;
    }
  }
  owner_.on_chain_continue();
}

void FilterChain::local_reply(LocalReply reply) {
  // The answering filter built its reply whole: only the filters before it
  // see the response head.
  ran_ = next_;
  next_ = count_;
  owner_.on_chain_local_reply(std::move(reply));
}

void FilterChain::resume(FilterStatus status, LocalReply reply) {
  if (!suspended_) return;
  suspended_ = false;
  alive_.reset();
  if (status == FilterStatus::kLocalReply) {
    local_reply(std::move(reply));
    return;
  }
  // kSuspend again is not a decision; treat it as continue.
  ++next_;
  run();
}

void FilterChain::on_response_head(http::Response& response) {
  for (size_t i = ran_; i-- > 0;) {
    Slot& slot = slots_[i];
    if (!slot.config->has_response_hook()) continue;
    ctx_->slot_ = i;
    slot.filter->on_response_head(*ctx_, response);
  }
}

void FilterChain::on_response_data(std::string_view data) {
  for (size_t i = ran_; i-- > 0;) {
    Slot& slot = slots_[i];
    if (!slot.config->has_response_body_hook()) continue;
    ctx_->slot_ = i;
    slot.filter->on_response_data(*ctx_, data);
  }
}

void FilterChain::on_response_trailers(const http::Headers& trailers) {
  for (size_t i = ran_; i-- > 0;) {
    Slot& slot = slots_[i];
    if (!slot.config->has_response_body_hook()) continue;
    ctx_->slot_ = i;
    slot.filter->on_response_trailers(*ctx_, trailers);
  }
}

void FilterChain::on_response_end(bool complete) {
  if (response_ended_ || ctx_ == nullptr) return;
  response_ended_ = true;
  for (size_t i = ran_; i-- > 0;) {
    Slot& slot = slots_[i];
    if (!slot.config->has_response_body_hook()) continue;
    ctx_->slot_ = i;
    slot.filter->on_response_end(*ctx_, complete);
  }
}

std::optional<LocalReply> FilterChain::on_backend_error(int status) {
  for (size_t i = ran_; i-- > 0;) {
    Slot& slot = slots_[i];
    if (!slot.config->has_backend_error_hook()) continue;
    ctx_->slot_ = i;
    if (auto reply = slot.filter->on_backend_error(*ctx_, status)) {
      // The answering filter built its reply whole, as for a local answer.
      ran_ = i;
      return reply;
    }
  }
  return std::nullopt;
}

BodyPlan FilterChain::plan_request_body() {
  if (!has_body_transform()) return {};
  ctx_->slot_ = body_slot_;
  return slots_[body_slot_].filter->plan_request_body(*ctx_);
}

BodyVerdict FilterChain::on_request_body(std::string& body, LocalReply& reply) {
  if (!has_body_transform()) return BodyVerdict::kPass;
  ctx_->slot_ = body_slot_;
  return slots_[body_slot_].filter->on_request_body(*ctx_, body, reply);
}

BodyPlan FilterChain::plan_response_body(const http::Response& head) {
  if (!has_body_transform()) return {};
  ctx_->slot_ = body_slot_;
  return slots_[body_slot_].filter->plan_response_body(*ctx_, head);
}

BodyVerdict FilterChain::on_response_body(http::Response& head, std::string& body) {
  if (!has_body_transform()) return BodyVerdict::kPass;
  ctx_->slot_ = body_slot_;
  return slots_[body_slot_].filter->on_response_body(*ctx_, head, body);
}

void FilterChain::cancel() {
  if (!suspended_) return;
  suspended_ = false;
  alive_.reset();  // the suspended filter's Resume is inert from here
  ran_ = next_;    // it never finished its request phase
  slots_[next_].filter->on_cancel();
}

}  // namespace archway::filters

// Whole-body transformation (docs/transform.md "How bodies flow"): for a
// route whose chain has a body-transforming filter, the request body is
// collected before anything goes to the backend, and the response head
// waits for its whole body, so that the filter can replace either. Never
// half-transformed: a body over the limit or that cannot be mapped goes on
// as it came (what was collected, then the rest) or is refused whole.

#include "proxy/exchange/exchange.h"

#include "proxy/exchange/request_rewrite.h"

namespace archway::exchange {
namespace {

filters::LocalReply error_reply(int status, std::string_view message) {
  return filters::LocalReply{.status = status,
                             .headers = {{"content-type", "application/json"}},
                             .body = error_body(message, status)};
}

}  // namespace

bool Exchange::start_request_body_buffering() {
  const filters::BodyPlan plan = chain_->plan_request_body();
  switch (plan.kind) {
    case filters::BodyPlan::Kind::kStream:
      return false;
    case filters::BodyPlan::Kind::kReject:
      // As a filter's answer: a body held while the chain was suspended is
      // let go, to be discarded.
      on_chain_local_reply(error_reply(plan.status, "request body is not JSON"));
      return true;
    case filters::BodyPlan::Kind::kBuffer:
      break;
  }
  if (request_->content_length && *request_->content_length > plan.max_bytes) {
    if (!plan.reject_over_limit) return false;  // streams as it comes
    on_chain_local_reply(error_reply(413, "request body too large to map"));
    return true;
  }
  collecting_request_ = true;
  body_limit_ = plan.max_bytes;
  reject_over_limit_ = plan.reject_over_limit;
  if (!body_held_) return true;
  // Body that came while the chain was suspended is the start of it; the
  // client was told to wait.
  body_held_ = false;
  bool more = true;
  if (!held_trailers_.empty()) {
    collecting_request_ = false;
    more = forward_buffered_request(true);
  } else {
    more = collect_request_data({}, held_end_);
  }
  // Still collecting, or sent with room for more, or refused (the rest is
  // read and discarded): the client may go on. A full backend buffer
  // resumes it later (on_backend_drained).
  if (more && !request_complete_) sink_.resume_request_body();
  return true;
}

bool Exchange::collect_request_data(std::string_view data, bool end_stream) {
  held_body_.append(data);
  if (held_body_.size() > body_limit_) {
    collecting_request_ = false;
    if (reject_over_limit_) {
      held_body_.clear();
      respond_error(413, "request body too large to map");
      return true;  // the rest is discarded
    }
    return forward_buffered_request(end_stream);
  }
  if (!end_stream) return true;
  collecting_request_ = false;
  filters::LocalReply reply;
  switch (chain_->on_request_body(held_body_, reply)) {
    case filters::BodyVerdict::kReject:
      held_body_.clear();
      respond(reply.status, std::move(reply.headers), std::move(reply.body));
      return true;
    case filters::BodyVerdict::kReplaced:
    case filters::BodyVerdict::kPass:
      // The whole body is known: the backend gets its length, whatever
      // framing the client used (chunked, or HTTP/2 without a length).
      request_->content_length = held_body_.size();
      break;
  }
  return forward_buffered_request(true);
}

bool Exchange::forward_buffered_request(bool end_stream) {
  forward();
  if (backend_ == nullptr) {  // answered instead (no endpoint, 502)
    held_body_.clear();
    held_trailers_.clear();
    return true;
  }
  const bool trailers = !held_trailers_.empty();
  bool more = true;
  if (!held_body_.empty() || (end_stream && !trailers)) {
    more = send_to_backend(held_body_, end_stream && !trailers);
    held_body_.clear();
  }
  if (trailers && backend_ != nullptr) backend_->send_trailers(held_trailers_);
  return more;
}

bool Exchange::start_response_body_buffering(const Response& head) {
  const filters::BodyPlan plan = chain_->plan_response_body(head);
  switch (plan.kind) {
    case filters::BodyPlan::Kind::kStream:
      return false;
    case filters::BodyPlan::Kind::kReject:
      release_backend(false);
      respond_error(502, "backend response is not JSON");
      return true;
    case filters::BodyPlan::Kind::kBuffer:
      break;
  }
  if (head.content_length && *head.content_length > plan.max_bytes) {
    if (!plan.reject_over_limit) return false;
    release_backend(false);
    respond_error(502, "backend response too large to map");
    return true;
  }
  collecting_response_ = true;
  body_limit_ = plan.max_bytes;
  reject_over_limit_ = plan.reject_over_limit;
  held_response_ = head;  // the backend's head object stays the backend's
  response_body_.clear();
  return true;
}

void Exchange::collect_response_data(std::string_view data, bool end_stream) {
  response_body_.append(data);
  if (response_body_.size() > body_limit_) {
    collecting_response_ = false;
    if (reject_over_limit_) {
      release_backend(false);
      response_body_.clear();
      respond_error(502, "backend response too large to map");
      return;
    }
    send_held_response(end_stream);  // what came, then the rest as it comes
    return;
  }
  if (!end_stream) return;
  collecting_response_ = false;
  switch (chain_->on_response_body(*held_response_, response_body_)) {
    case filters::BodyVerdict::kReject:
      response_body_.clear();
      respond_error(502, "backend response does not fit the route's body mapping");
      return;
    case filters::BodyVerdict::kReplaced:
    case filters::BodyVerdict::kPass:
      held_response_->content_length = response_body_.size();
      break;
  }
  send_held_response(true);
}

void Exchange::send_held_response(bool end_stream) {
  Response& head = *held_response_;
  response_started_ = true;
  status_ = head.status;
  bytes_out_ += response_body_.size();
  if (chain_) chain_->on_response_head(head);
  if (response_body_.empty()) {
    sink_.send_response_head(head, end_stream);
  } else {
    sink_.send_response_head(head, false);
    if (chain_) chain_->on_response_data(response_body_);
    sink_.send_response_data(response_body_, end_stream);
  }
  response_body_.clear();
  if (end_stream) complete();
}

}  // namespace archway::exchange

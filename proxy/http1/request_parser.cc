#include "proxy/http1/request_parser.h"

#include <boost/beast/http/error.hpp>

#include <limits>

#include "proxy/http/field_text.h"
#include "proxy/http/hop_by_hop.h"

namespace archway::http1 {

namespace http = boost::beast::http;

RequestParser::RequestParser(archway::http::Request& request, uint32_t max_header_bytes,
                             size_t max_header_count)
    : request_(request), checker_(max_header_count) {
  header_limit(max_header_bytes);
  // Bodies stream; a policy may cap them later. Not boost::none: Beast 1.74
  // compares Content-Length against the optional itself, and none < any value.
  body_limit(std::numeric_limits<std::uint64_t>::max());
  eager(true);
  request_.clear();
}

void RequestParser::on_request_impl(http::verb, string_view method, string_view target, int version,
                                    error_code& ec) {
  request_.method.assign(method.data(), method.size());
  request_.target.assign(target.data(), target.size());
  request_.version = version;
  if (version != 10 && version != 11) {
    head_error_ = HeadError::kBadVersion;
    ec = http::error::bad_version;
  }
}

void RequestParser::on_field_impl(http::field, string_view name, string_view value,
                                  error_code& ec) {
  if (in_trailers_) return;  // HTTP/1 request trailers are dropped (RFC 9110 §6.5.1)
  const std::string_view n(name.data(), name.size());
  const std::string_view v(value.data(), value.size());
  if (auto err = checker_.on_field(n, v); err != HeadError::kNone) {
    head_error_ = err;
    ec = http::error::bad_field;
    return;
  }
  // Added first and taken back for the fields the head keeps elsewhere:
  // add() writes into a spare slot's strings, so a keep-alive connection's
  // fields cost no allocation (http/headers.h).
  archway::http::Headers& headers = request_.headers;
  archway::http::Header& h = headers.add(n, v);
  archway::http::lowercase(h.name);
  const std::string_view field = h.name;
  if (field == "host") {
    request_.authority.assign(v);
  } else if (field == "connection") {
    if (!connection_.empty()) connection_ += ',';
    connection_ += v;
  } else if (field == "upgrade") {
    request_.websocket = archway::http::iequals(v, "websocket");
  } else if (field == "te") {
    request_.te_trailers = v.find("trailers") != std::string_view::npos;
  } else if (field != "content-length" && !archway::http::is_hop_by_hop(field)) {
    return;  // a regular field: it stays
  }
  headers.pop_back();
}

void RequestParser::on_header_impl(error_code& ec) {
  in_trailers_ = true;
  if (auto err = checker_.finish(request_.method, request_.target, request_.version);
      err != HeadError::kNone) {
    head_error_ = err;
    ec = http::error::bad_target;
    return;
  }
  if (!connection_.empty()) {
    archway::http::remove_connection_tokens(request_.headers, connection_);
    std::string lower = connection_;
    archway::http::lowercase(lower);
    if (lower.find("upgrade") == std::string::npos) request_.websocket = false;
  } else {
    request_.websocket = false;
  }
  // absolute-form: forward origin-form; Host already agrees (checker).
  if (request_.target.front() != '/' && request_.target != "*") {
    const auto scheme_end = request_.target.find("://");
    const auto path = request_.target.find_first_of("/?", scheme_end + 3);
    if (request_.authority.empty()) {
      request_.authority = request_.target.substr(scheme_end + 3, path - scheme_end - 3);
    }
    request_.target = path == std::string::npos ? "/" : request_.target.substr(path);
    if (request_.target.front() == '?') request_.target.insert(0, 1, '/');
  }
  request_.has_body = chunked() || (content_length() && *content_length() > 0);
  if (content_length()) request_.content_length = *content_length();
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  if (consumer_ != nullptr) consumer_->on_body_bytes({body.data(), body.size()});
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  if (consumer_ != nullptr) consumer_->on_body_bytes({body.data(), body.size()});
  return body.size();
}

}  // namespace archway::http1

#include "proxy/http1/response_parser.h"

#include <boost/beast/http/error.hpp>

#include <limits>

#include "proxy/server/hop_by_hop.h"

namespace archway::http1 {

namespace http = boost::beast::http;

ResponseParser::ResponseParser(server::Response& response, ResponseConsumer* consumer,
                               bool head_request)
    : response_(response), consumer_(consumer) {
  header_limit(64 * 1024);
  body_limit(std::numeric_limits<std::uint64_t>::max());  // see request_parser.cc
  eager(true);
  skip(head_request);
  response_.headers.clear();
  response_.content_length.reset();
}

void ResponseParser::on_response_impl(int status, string_view, int version, error_code& ec) {
  response_.status = status;
  if (version != 10 && version != 11) ec = http::error::bad_version;
}

void ResponseParser::on_field_impl(http::field, string_view name, string_view value,
                                   error_code&) {
  server::Header h{std::string(name.data(), name.size()), std::string(value.data(), value.size())};
  server::lowercase(h.name);
  if (in_trailers_) {
    trailers_.push_back(std::move(h));
    return;
  }
  if (h.name == "connection") {
    if (!connection_.empty()) connection_ += ',';
    connection_ += h.value;
    return;
  }
  if (h.name == "content-length" || server::is_hop_by_hop(h.name)) return;
  response_.headers.push_back(std::move(h));
}

void ResponseParser::on_header_impl(error_code&) {
  in_trailers_ = true;
  if (!connection_.empty()) server::remove_connection_tokens(response_.headers, connection_);
  if (content_length()) response_.content_length = *content_length();
  consumer_->on_response_head();
}

std::size_t ResponseParser::on_body_impl(string_view body, error_code&) {
  consumer_->on_response_body({body.data(), body.size()});
  return body.size();
}

std::size_t ResponseParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  consumer_->on_response_body({body.data(), body.size()});
  return body.size();
}

}  // namespace archway::http1

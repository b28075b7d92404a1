// Table-driven RFC 9112 strictness checks for the client HTTP/1 head: our
// scan + Beast's parser + HeadChecker, exactly as the connection runs them.
#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>

#include <string>

#include "proxy/http1/head_validator.h"
#include "proxy/http1/request_parser.h"

namespace archway::http1 {
namespace {

// Runs a head through the same steps as H1Connection::parse_head.
// Returns "" when accepted, else why it was rejected.
std::string judge(const std::string& bytes) {
  size_t head_size = 0;
  const HeadError scan = scan_head(bytes, 64 * 1024, head_size);
  if (scan != HeadError::kNone) return to_string(scan);
  http::Request request;
  RequestParser parser(request, 64 * 1024, 100);
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(bytes.data(), head_size), ec);
  if (ec || used != head_size || !parser.is_header_done()) {
    return parser.head_error() != HeadError::kNone ? to_string(parser.head_error())
                                                   : "beast: " + ec.message();
  }
  return "";
}

struct Case {
  const char* name;
  std::string_view head;
  bool accepted;
};

constexpr char kNulHead[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";

const Case kCases[] = {
    {"simple", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", true},
    {"http10 no host", "GET / HTTP/1.0\r\n\r\n", true},
    {"post with length", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n", true},
    {"chunked", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", true},
    {"chunked any case", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", true},
    {"same CL twice",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", true},
    {"absolute form ok", "GET http://a/x HTTP/1.1\r\nHost: a\r\n\r\n", true},
    {"options star", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", true},
    {"host with port", "GET / HTTP/1.1\r\nHost: a.example:8080\r\n\r\n", true},
    {"ipv6 host", "GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", true},
    // Rejected.
    {"missing host", "GET / HTTP/1.1\r\n\r\n", false},
    {"duplicate host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", false},
    {"empty host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", false},
    {"host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", false},
    {"host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", false},
    {"CL and TE",
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     false},
    {"TE and CL",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
     false},
    {"CL differs", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
     false},
    {"CL list differs", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n", false},
    {"CL sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", false},
    {"CL hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\n", false},
    {"TE gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", false},
    {"TE chunked not last",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", false},
    {"TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     false},
    {"TE twice",
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
     "chunked\r\n\r\n",
     false},
    {"TE on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", false},
    {"TE xchunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", false},
    {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", false},
    {"obs-fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", false},
    {"bare LF", "GET / HTTP/1.1\nHost: a\r\n\r\n", false},
    {"bare LF end", "GET / HTTP/1.1\r\nHost: a\n\n", false},
    {"bare CR", "GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", false},
    {"NUL in value", std::string_view(kNulHead, sizeof(kNulHead) - 1), false},
    {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", false},
    {"space in name", "GET / HTTP/1.1\r\nHost: a\r\nX Y: z\r\n\r\n", false},
    {"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: z\r\n\r\n", false},
    {"ctl in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n", false},
    {"DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fz\r\n\r\n", false},
    {"ESC in name", "GET / HTTP/1.1\r\nHost: a\r\nX\x1b: z\r\n\r\n", false},
    {"ctl in request line", "GET /\x0b HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"HTAB in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\tz\t\r\n\r\n", true},
    {"version 2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", false},
    {"version 1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", false},
    {"bad version", "GET / HTTX/1.1\r\nHost: a\r\n\r\n", false},
    {"absolute host mismatch", "GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"absolute userinfo", "GET http://u@a/x HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"relative target", "GET x HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"star not options", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"connect", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", false},
    {"ftp scheme", "GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", false},
    {"two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", false},
};

class HeadValidatorTest : public ::testing::TestWithParam<Case> {};

TEST_P(HeadValidatorTest, Judges) {
  const Case& c = GetParam();
  const std::string verdict = judge(std::string(c.head));
  if (c.accepted) {
    EXPECT_EQ(verdict, "") << c.name;
  } else {
    EXPECT_NE(verdict, "") << c.name << " was accepted";
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc9112, HeadValidatorTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) {
                           std::string n = param_info.param.name;
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });

TEST(HeadValidator, NeedsMoreUntilBlankLine) {
  size_t size = 0;
  EXPECT_EQ(scan_head("GET / HTTP/1.1\r\nHost: a\r\n", 1024, size), HeadError::kNeedMore);
  EXPECT_EQ(scan_head("GET / HTTP/1.1\r\nHost: a\r\n\r", 1024, size), HeadError::kNeedMore);
  EXPECT_EQ(scan_head("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY", 1024, size), HeadError::kNone);
  EXPECT_EQ(size, 27u);
}

TEST(HeadValidator, TooLarge) {
  size_t size = 0;
  const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(200, 'a');
  EXPECT_EQ(scan_head(big, 100, size), HeadError::kTooLarge);
}

TEST(HeadValidator, HopByHopAndConnectionTokensRemoved) {
  http::Request request;
  RequestParser parser(request, 64 * 1024, 100);
  const std::string head =
      "GET http://a/p?q=1 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret\r\n"
      "X-Secret: 1\r\nKeep-Alive: 5\r\nX-Keep: y\r\nTE: trailers\r\n\r\n";
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(request.target, "/p?q=1");
  EXPECT_EQ(request.authority, "a");
  ASSERT_EQ(request.headers.size(), 1u);
  EXPECT_EQ(request.headers[0].name, "x-keep");
  EXPECT_TRUE(request.te_trailers);
}

TEST(HeadValidator, TooManyHeaders) {
  http::Request request;
  RequestParser parser(request, 64 * 1024, 3);
  const std::string head = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  EXPECT_TRUE(ec);
  EXPECT_EQ(parser.head_error(), HeadError::kTooManyHeaders);
}

}  // namespace
}  // namespace archway::http1

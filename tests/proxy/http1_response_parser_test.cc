// The backend response parser (proxy/http1/response_parser.h): framing,
// field handling and every rejection, each fed whole and one byte at a time.
#include "proxy/http1/response_parser.h"

#include <gtest/gtest.h>
#include <boost/beast/http/error.hpp>

#include <optional>
#include <string>

namespace archway::http1 {
namespace {

namespace http = boost::beast::http;

// The table names only the fields a case is about; the rest keep their
// defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct Collect : ResponseConsumer {
  void on_response_head() override { ++heads; }
  void on_response_body(std::string_view data) override { body.append(data); }
  int heads = 0;
  std::string body;
};

struct Outcome {
  boost::beast::error_code ec;  // the first hard error (never need_more)
  bool done = false;
  bool need_eof = false;
  size_t used = 0;
};

// Feeds `bytes` in pieces of `step` (0 = all at once) the way H1Connection
// does: keeps the unconsumed tail and appends the next piece to it.
Outcome feed(ResponseParser& parser, std::string_view bytes, size_t step) {
  Outcome out;
  std::string pending;
  size_t offset = 0;
  while (offset < bytes.size() || !pending.empty()) {
    const size_t take = step == 0 ? bytes.size() - offset : std::min(step, bytes.size() - offset);
    pending.append(bytes.substr(offset, take));
    offset += take;
    boost::beast::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
    out.used += used;
    pending.erase(0, used);
    if (ec && ec != http::error::need_more) {
      out.ec = ec;
      return out;
    }
    if (parser.is_done()) break;
    if (take == 0) break;  // nothing new to offer
  }
  out.done = parser.is_done();
  out.need_eof = parser.need_eof();
  return out;
}

struct Case {
  const char* name;
  std::string bytes;
  bool head_request = false;
  // Expected on success:
  int status = 200;
  std::string headers;  // "name=value;" for each forwarded field, in order
  std::string body;
  std::string trailers;  // as headers
  bool done = true;
  bool need_eof = false;
  bool keep_alive = true;
  std::optional<uint64_t> content_length;
  // Expected on failure (then the rest is ignored):
  std::optional<http::error> error;
};

std::string render(const archway::http::Headers& headers) {
  std::string out;
  for (const auto& h : headers) out += h.name + "=" + h.value + ";";
  return out;
}

const Case kCases[] = {
    {.name = "content-length",
     .bytes = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 5\r\n\r\nhello",
     .headers = "server=nginx;",
     .body = "hello",
     .content_length = 5},
    {.name = "no reason phrase, no space", .bytes = "HTTP/1.1 204\r\n\r\n", .status = 204},
    {.name = "empty reason phrase",
     .bytes = "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n",
     .status = 404,
     .content_length = 0},
    {.name = "chunked with extensions and trailers",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
              "5;ext=\"v\"\r\nhello\r\n6 ; e\r\n world\r\n0\r\nGrpc-Status: 0\r\nTE: x\r\n\r\n",
     .headers = "x-a=1;",
     .body = "hello world",
     .trailers = "grpc-status=0;"},
    {.name = "chunked, upper-case hex, no trailers",
     .bytes = "HTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
     .body = "0123456789"},
    {.name = "close-delimited",
     .bytes = "HTTP/1.1 200 OK\r\n\r\nuntil eof",
     .body = "until eof",
     .done = false,
     .need_eof = true,
     .keep_alive = false},
    {.name = "HEAD keeps content-length, no body",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
     .head_request = true,
     .content_length = 99},
    {.name = "304 without body",
     .bytes = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
     .status = 304,
     .headers = "etag=\"x\";"},
    {.name = "100 continue is a complete message",
     .bytes = "HTTP/1.1 100 Continue\r\n\r\n",
     .status = 100},
    {.name = "101 is a complete message",
     .bytes =
         "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
     .status = 101},
    {.name = "connection close",
     .bytes = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
     .body = "ok",
     .keep_alive = false,
     .content_length = 2},
    {.name = "HTTP/1.0 closes by default",
     .bytes = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
     .body = "ok",
     .keep_alive = false,
     .content_length = 2},
    {.name = "HTTP/1.0 keep-alive",
     .bytes = "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nKeep-Alive: "
              "timeout=5\r\nContent-Length: 2\r\n\r\nok",
     .body = "ok",
     .content_length = 2},
    {.name = "connection-named fields are removed",
     .bytes =
         "HTTP/1.1 200 OK\r\nConnection: x-private, keep-alive\r\nX-Private: s\r\nX-Public: p\r\n"
         "Content-Length: 0\r\n\r\n",
     .headers = "x-public=p;",
     .content_length = 0},
    {.name = "hop-by-hop fields are removed, OWS trimmed",
     .bytes = "HTTP/1.1 200 OK\r\nKeep-Alive: 5\r\nProxy-Connection: x\r\nX-A: \t v w \t\r\n"
              "Content-Length: 0\r\n\r\n",
     .headers = "x-a=v w;",
     .content_length = 0},
    {.name = "equal content-length repeats",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok",
     .body = "ok",
     .content_length = 2},
    {.name = "chunked wins over content-length and ends keep-alive",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: "
              "chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
     .body = "ok",
     .keep_alive = false},
    {.name = "obs-text in values",
     .bytes = "HTTP/1.1 200 OK\r\nX-A: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
     .headers = "x-a=caf\xc3\xa9;",
     .content_length = 0},

    {.name = "HTTP/2.0 status line",
     .bytes = "HTTP/2.0 200 OK\r\n\r\n",
     .error = http::error::bad_version},
    {.name = "HTTP/1.2", .bytes = "HTTP/1.2 200 OK\r\n\r\n", .error = http::error::bad_version},
    {.name = "not HTTP", .bytes = "ICY 200 OK\r\n\r\n", .error = http::error::bad_status},
    {.name = "two-digit status",
     .bytes = "HTTP/1.1 20 OK\r\n\r\n",
     .error = http::error::bad_status},
    {.name = "status below 100",
     .bytes = "HTTP/1.1 099 X\r\n\r\n",
     .error = http::error::bad_status},
    {.name = "four-digit status",
     .bytes = "HTTP/1.1 2000 OK\r\n\r\n",
     .error = http::error::bad_status},
    {.name = "CTL in reason",
     .bytes = "HTTP/1.1 200 O\x01K\r\n\r\n",
     .error = http::error::bad_value},
    {.name = "bare LF",
     .bytes = "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n",
     .error = http::error::bad_line_ending},
    {.name = "bare CR",
     .bytes = "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
     .error = http::error::bad_line_ending},
    {.name = "NUL",
     .bytes = std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27),
     .error = http::error::bad_line_ending},
    {.name = "obs-fold",
     .bytes = "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
     .error = http::error::bad_value},
    {.name = "space before colon",
     .bytes = "HTTP/1.1 200 OK\r\nX : a\r\n\r\n",
     .error = http::error::bad_field},
    {.name = "no colon", .bytes = "HTTP/1.1 200 OK\r\nXa\r\n\r\n", .error = http::error::bad_field},
    {.name = "empty name",
     .bytes = "HTTP/1.1 200 OK\r\n: a\r\n\r\n",
     .error = http::error::bad_field},
    {.name = "CTL in value",
     .bytes = "HTTP/1.1 200 OK\r\nX: a\x7f\r\n\r\n",
     .error = http::error::bad_value},
    {.name = "ESC in value",
     .bytes = "HTTP/1.1 200 OK\r\nX: a\x1b[0m\r\n\r\n",
     .error = http::error::bad_value},
    {.name = "HTAB in value is fine",
     .bytes = "HTTP/1.1 200 OK\r\nX: a\tb\r\nContent-Length: 0\r\n\r\n",
     .headers = "x=a\tb;",
     .content_length = 0},
    {.name = "different content-lengths",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
     .error = http::error::bad_content_length},
    {.name = "content-length list that disagrees",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\n",
     .error = http::error::bad_content_length},
    {.name = "signed content-length",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
     .error = http::error::bad_content_length},
    {.name = "content-length overflow",
     .bytes = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
     .error = http::error::bad_content_length},
    {.name = "gzip transfer-encoding",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
     .error = http::error::bad_transfer_encoding},
    {.name = "chunked twice",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     .error = http::error::bad_transfer_encoding},
    {.name = "chunk size not hex",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n",
     .error = http::error::bad_chunk},
    {.name = "chunk size overflow",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
     .error = http::error::bad_chunk},
    {.name = "chunk size with bare LF",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello",
     .error = http::error::bad_chunk},
    {.name = "chunk extension without semicolon",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n",
     .error = http::error::bad_chunk},
    {.name = "chunk data longer than its size",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n",
     .error = http::error::bad_chunk},
    {.name = "malformed trailer",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad\r\n\r\n",
     .error = http::error::bad_field},
    {.name = "trailer starting with whitespace",
     .bytes = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n X: a\r\n\r\n",
     .error = http::error::bad_chunk},
};

class ResponseParserTable : public ::testing::TestWithParam<size_t> {};

TEST_P(ResponseParserTable, WholeAndByteByByte) {
  const Case& c = kCases[GetParam()];
  for (size_t step : {size_t{0}, size_t{1}}) {
    SCOPED_TRACE(std::string(c.name) + (step == 0 ? " (whole)" : " (byte by byte)"));
    archway::http::Response response;
    Collect collect;
    ResponseParser parser(response, &collect, c.head_request);
    const Outcome out = feed(parser, c.bytes, step);
    if (c.error) {
      EXPECT_EQ(out.ec, *c.error) << out.ec.message();
      continue;
    }
    ASSERT_FALSE(out.ec) << out.ec.message();
    EXPECT_EQ(collect.heads, 1);
    EXPECT_EQ(response.status, c.status);
    EXPECT_EQ(render(response.headers), c.headers);
    EXPECT_EQ(collect.body, c.body);
    EXPECT_EQ(render(parser.trailers()), c.trailers);
    EXPECT_EQ(out.done, c.done);
    EXPECT_EQ(out.need_eof, c.need_eof);
    EXPECT_EQ(parser.backend_keep_alive(), c.keep_alive);
    EXPECT_EQ(response.content_length, c.content_length);
    if (c.done) {
      EXPECT_EQ(out.used, c.bytes.size());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ResponseParserTable, ::testing::Range(size_t{0}, std::size(kCases)),
                         [](const ::testing::TestParamInfo<size_t>& param) {
                           std::string name = kCases[param.param].name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ResponseParser, EofEndsACloseDelimitedBodyOnly) {
  archway::http::Response response;
  Collect collect;
  ResponseParser until_eof(response, &collect, false);
  feed(until_eof, "HTTP/1.1 200 OK\r\n\r\nabc", 0);
  boost::beast::error_code ec;
  until_eof.put_eof(ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(until_eof.is_done());

  ResponseParser short_body(response, &collect, false);
  feed(short_body, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0);
  short_body.put_eof(ec);
  EXPECT_EQ(ec, http::error::partial_message);
}

TEST(ResponseParser, HeadAboveTheLimitIsRefused) {
  archway::http::Response response;
  Collect collect;
  ResponseParser parser(response, &collect, false);
  std::string head = "HTTP/1.1 200 OK\r\nX: " + std::string(ResponseParser::kMaxHeadBytes, 'a');
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  EXPECT_EQ(ec, http::error::header_limit);
}

TEST(ResponseParser, ReusesTheResponseOfTheConnection) {
  // A second response on the same Response object has exactly its own fields.
  archway::http::Response response;
  Collect collect;
  {
    ResponseParser first(response, &collect, false);
    feed(first, "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n\r\n", 0);
  }
  ResponseParser second(response, &collect, false);
  const Outcome out = feed(second, "HTTP/1.1 201 Created\r\nD: 4\r\n\r\n", 0);
  EXPECT_TRUE(out.need_eof);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(render(response.headers), "d=4;");
  EXPECT_FALSE(response.content_length.has_value());
}

TEST(ResponseParser, StopsAtTheEndOfTheMessage) {
  // Bytes after a complete response are left for the owner (it closes).
  archway::http::Response response;
  Collect collect;
  ResponseParser parser(response, &collect, false);
  const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA";
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(bytes), ec);
  EXPECT_FALSE(ec);
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(used, bytes.size() - 5);
}

}  // namespace
}  // namespace archway::http1

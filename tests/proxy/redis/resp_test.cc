// RESP2: commands are binary-safe arrays; replies parse whole, wait for
// more bytes when cut anywhere, and refuse what no Redis sends.

#include "proxy/redis/resp.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace archway::redis {
namespace {

TEST(Resp, CommandsAreArraysOfBulkStrings) {
  const std::array<std::string_view, 3> args = {"SET", "k\r\ney", ""};
  EXPECT_EQ(encode_command(args), "*3\r\n$3\r\nSET\r\n$5\r\nk\r\ney\r\n$0\r\n\r\n");
}

struct ReplyCase {
  std::string name;
  std::string wire;
  Reply::Type type;
  std::string text;
  int64_t integer;
  size_t elements;
};

class ParseReply : public ::testing::TestWithParam<ReplyCase> {};

TEST_P(ParseReply, ReadsEveryReplyType) {
  const ReplyCase& c = GetParam();
  Reply reply;
  size_t consumed = 0;
  ASSERT_EQ(parse_reply(c.wire + "+NEXT\r\n", reply, consumed), ParseStatus::kComplete);
  EXPECT_EQ(consumed, c.wire.size());
  EXPECT_EQ(reply.type, c.type);
  EXPECT_EQ(reply.text, c.text);
  EXPECT_EQ(reply.integer, c.integer);
  EXPECT_EQ(reply.elements.size(), c.elements);
}

INSTANTIATE_TEST_SUITE_P(
    Types, ParseReply,
    ::testing::Values(
        ReplyCase{"status", "+OK\r\n", Reply::Type::kStatus, "OK", 0, 0},
        ReplyCase{"error", "-NOSCRIPT No matching script\r\n", Reply::Type::kError,
                  "NOSCRIPT No matching script", 0, 0},
        ReplyCase{"integer", ":-42\r\n", Reply::Type::kInteger, "", -42, 0},
        ReplyCase{"bulk", "$5\r\na\r\nbc\r\n", Reply::Type::kBulk, "a\r\nbc", 0, 0},
        ReplyCase{"empty_bulk", "$0\r\n\r\n", Reply::Type::kBulk, "", 0, 0},
        ReplyCase{"nil_bulk", "$-1\r\n", Reply::Type::kNil, "", 0, 0},
        ReplyCase{"nil_array", "*-1\r\n", Reply::Type::kNil, "", 0, 0},
        ReplyCase{"array", "*3\r\n:1\r\n:2\r\n$1\r\nx\r\n", Reply::Type::kArray, "", 0, 3},
        ReplyCase{"nested", "*2\r\n*1\r\n:1\r\n*0\r\n", Reply::Type::kArray, "", 0, 2}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(Resp, EveryCutOfAReplyIsIncompleteNotMalformed) {
  const std::string wire = "*3\r\n:10\r\n$4\r\nabcd\r\n*2\r\n+OK\r\n$-1\r\n";
  for (size_t cut = 0; cut < wire.size(); ++cut) {
    Reply reply;
    size_t consumed = 0;
    EXPECT_EQ(parse_reply(wire.substr(0, cut), reply, consumed), ParseStatus::kIncomplete)
        << "cut at " << cut;
  }
  Reply reply;
  size_t consumed = 0;
  ASSERT_EQ(parse_reply(wire, reply, consumed), ParseStatus::kComplete);
  EXPECT_EQ(reply.elements[0].integer, 10);
  EXPECT_EQ(reply.elements[1].text, "abcd");
  EXPECT_EQ(reply.elements[2].elements[1].type, Reply::Type::kNil);
}

TEST(Resp, RefusesWhatNoRedisSends) {
  ParseLimits limits;
  limits.max_bulk = 16;
  limits.max_elements = 4;
  limits.max_depth = 2;
  for (const std::string wire : {"?x\r\n", ":12a\r\n", ":\r\n", "$-2\r\n", "$3\r\nabcXY", "$17\r\n",
                                 "*5\r\n", "*-3\r\n", "*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"}) {
    Reply reply;
    size_t consumed = 0;
    EXPECT_EQ(parse_reply(wire, reply, consumed, limits), ParseStatus::kMalformed) << wire;
  }
}

}  // namespace
}  // namespace archway::redis

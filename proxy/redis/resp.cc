#include "proxy/redis/resp.h"

#include <charconv>

namespace archway::redis {
namespace {

struct Cursor {
  std::string_view data;
  size_t pos = 0;

  // The line from pos to CRLF (without it), or false when incomplete.
  bool line(std::string_view& out) {
    const size_t end = data.find("\r\n", pos);
    if (end == std::string_view::npos) return false;
    out = data.substr(pos, end - pos);
    pos = end + 2;
    return true;
  }
};

bool to_int(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

ParseStatus parse(Cursor& c, Reply& out, const ParseLimits& limits, int depth) {
  if (depth > limits.max_depth) return ParseStatus::kMalformed;
  if (c.pos >= c.data.size()) return ParseStatus::kIncomplete;
  const char kind = c.data[c.pos++];
  std::string_view line;
  if (!c.line(line)) return ParseStatus::kIncomplete;
  switch (kind) {
    case '+':
      out.type = Reply::Type::kStatus;
      out.text.assign(line);
      return ParseStatus::kComplete;
    case '-':
      out.type = Reply::Type::kError;
      out.text.assign(line);
      return ParseStatus::kComplete;
    case ':':
      out.type = Reply::Type::kInteger;
      return to_int(line, out.integer) ? ParseStatus::kComplete : ParseStatus::kMalformed;
    case '$': {
      int64_t length = 0;
      if (!to_int(line, length) || length < -1) return ParseStatus::kMalformed;
      if (length == -1) {
        out.type = Reply::Type::kNil;
        return ParseStatus::kComplete;
      }
      if (static_cast<uint64_t>(length) > limits.max_bulk) return ParseStatus::kMalformed;
      const size_t size = static_cast<size_t>(length);
      if (c.data.size() - c.pos < size + 2) return ParseStatus::kIncomplete;
      if (c.data.substr(c.pos + size, 2) != "\r\n") return ParseStatus::kMalformed;
      out.type = Reply::Type::kBulk;
      out.text.assign(c.data.substr(c.pos, size));
      c.pos += size + 2;
      return ParseStatus::kComplete;
    }
    case '*': {
      int64_t count = 0;
      if (!to_int(line, count) || count < -1) return ParseStatus::kMalformed;
      if (count == -1) {
        out.type = Reply::Type::kNil;
        return ParseStatus::kComplete;
      }
      if (static_cast<uint64_t>(count) > limits.max_elements) return ParseStatus::kMalformed;
      out.type = Reply::Type::kArray;
      out.elements.resize(static_cast<size_t>(count));
      for (Reply& element : out.elements) {
        const ParseStatus status = parse(c, element, limits, depth + 1);
        if (status != ParseStatus::kComplete) return status;
      }
      return ParseStatus::kComplete;
    }
    default:
      return ParseStatus::kMalformed;
  }
}

}  // namespace

void append_command(std::string& out, std::span<const std::string_view> args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (const std::string_view arg : args) {
    out += '$';
    out += std::to_string(arg.size());
    out += "\r\n";
    out.append(arg);
    out += "\r\n";
  }
}

std::string encode_command(std::span<const std::string_view> args) {
  std::string out;
  append_command(out, args);
  return out;
}

ParseStatus parse_reply(std::string_view data, Reply& out, size_t& consumed,
                        const ParseLimits& limits) {
  Cursor c{data};
  Reply reply;
  const ParseStatus status = parse(c, reply, limits, 0);
  if (status == ParseStatus::kComplete) {
    out = std::move(reply);
    consumed = c.pos;
  }
  return status;
}

}  // namespace archway::redis

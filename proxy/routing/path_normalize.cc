#include "proxy/routing/path_normalize.h"

namespace archway::routing {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

Error bad(std::string message) { return invalid("path", std::move(message)); }

// Step 1: decode unreserved escapes, upper-case the rest, reject %2F and NUL.
Result<std::string> decode(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '\0') return bad("NUL is not allowed");
    if (c != '%') {
      out += c;
      continue;
    }
    if (i + 2 >= path.size()) return bad("invalid percent-encoding");
    const int hi = hex_value(path[i + 1]);
    const int lo = hex_value(path[i + 2]);
    if (hi < 0 || lo < 0) return bad("invalid percent-encoding");
    const char decoded = static_cast<char>(hi * 16 + lo);
    if (decoded == '/') return bad("encoded '/' is not allowed");
    if (decoded == '\0') return bad("NUL is not allowed");
    if (is_unreserved(decoded)) {
      out += decoded;
    } else {
      out += '%';
      out += kHex[hi];
      out += kHex[lo];
    }
    i += 2;
  }
  return out;
}

}  // namespace

Result<std::string> normalize_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return bad("must start with '/'");
  // Fast path: most request paths need nothing done.
  if (path.find_first_of(std::string_view("%\0", 2)) == std::string_view::npos &&
      path.find("//") == std::string_view::npos && path.find("/.") == std::string_view::npos) {
    return std::string(path);
  }
  auto decoded = decode(path);
  if (!decoded.ok()) return decoded.error();
  const std::string& in = *decoded;

  // Steps 2 and 3 in one pass over segments: `out` always starts with '/';
  // each segment is appended as "/seg", "." is dropped, ".." pops one.
  std::string out;
  out.reserve(in.size());
  size_t i = 1;  // past the leading '/'
  bool trailing_slash = false;
  while (i <= in.size()) {
    size_t end = in.find('/', i);
    if (end == std::string::npos) end = in.size();
    const std::string_view segment(in.data() + i, end - i);
    const bool last = end == in.size();
    if (segment.empty()) {
      // "//" collapses; an empty last segment is a trailing slash.
      trailing_slash = last ? true : trailing_slash;
    } else if (segment == ".") {
      trailing_slash = true;  // "/a/." → "/a/"
    } else if (segment == "..") {
      const size_t cut = out.rfind('/');
      out.resize(cut == std::string::npos ? 0 : cut);
      trailing_slash = true;  // "/a/b/.." → "/a/"
    } else {
      out += '/';
      out += segment;
      trailing_slash = false;
    }
    i = end + 1;
  }
  if (out.empty() || trailing_slash) out += '/';
  return out;
}

}  // namespace archway::routing

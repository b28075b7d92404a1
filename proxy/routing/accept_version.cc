#include "proxy/routing/accept_version.h"

#include "common/text_scan.h"

namespace archway::routing {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A cursor over one field value.
struct Scanner {
  std::string_view text;
  size_t pos = 0;

  [[nodiscard]] bool done() const { return pos >= text.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text[pos]; }
  void skip_ows() {
    while (!done() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }
  std::string_view token() {
    const size_t start = pos;
    while (!done() && is_tchar(text[pos])) ++pos;
    return text.substr(start, pos - start);
  }
  // After the opening quote; false on an unterminated string.
  bool quoted(std::string& out) {
    while (!done()) {
      const char c = text[pos++];
      if (c == '"') return true;
      if (c == '\\') {
        if (done()) return false;
        out += text[pos++];
      } else {
        out += c;
      }
    }
    return false;
  }
  // Skips to just past the next ',' outside a quoted-string.
  void skip_element() {
    bool in_quotes = false;
    while (!done()) {
      const char c = text[pos++];
      if (in_quotes && c == '\\' && !done()) {
        ++pos;
      } else if (c == '"') {
        in_quotes = !in_quotes;
      } else if (c == ',' && !in_quotes) {
        return;
      }
    }
  }
};

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int value = (text[0] - '0') * 1000;
  if (text.size() == 1) return value;
  if (text[1] != '.') return std::nullopt;
  int scale = 100;
  for (size_t i = 2; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value += (text[i] - '0') * scale;
    scale /= 10;
  }
  return value <= 1000 ? std::optional<int>(value) : std::nullopt;
}

bool covers(std::string_view type, std::string_view subtype, std::string_view media_type) {
  if (media_type.empty() || (type == "*" && subtype == "*")) return true;
  const size_t slash = media_type.find('/');
  if (!iequals(type, media_type.substr(0, slash))) return false;
  return subtype == "*" || iequals(subtype, media_type.substr(slash + 1));
}

struct Element {
  int quality = 1000;
  std::optional<std::string> version;
};

// One media-range [ weight ] from the cursor up to the next ','; nullopt
// when malformed (the cursor is then left anywhere in the element).
std::optional<Element> parse_element(Scanner& s, std::string_view media_type,
                                     std::string_view parameter) {
  const std::string_view type = s.token();
  if (type.empty() || s.peek() != '/') return std::nullopt;
  ++s.pos;
  const std::string_view subtype = s.token();
  if (subtype.empty() || (type == "*" && subtype != "*")) return std::nullopt;
  Element out;
  bool weighted = false;
  while (true) {
    s.skip_ows();
    if (s.done() || s.peek() == ',') break;
    if (s.peek() != ';') return std::nullopt;
    ++s.pos;
    s.skip_ows();
    if (s.done() || s.peek() == ',' || s.peek() == ';') continue;  // an empty parameter
    const std::string_view name = s.token();
    if (name.empty() || s.peek() != '=') return std::nullopt;
    ++s.pos;
    std::string value;
    if (s.peek() == '"') {
      ++s.pos;
      if (!s.quoted(value)) return std::nullopt;
    } else {
      value = s.token();
      if (value.empty()) return std::nullopt;
    }
    if (iequals(name, "q")) {
      // "q" separates media-type parameters from the weight (§12.5.1):
      // what follows it does not belong to the media range.
      auto q = parse_qvalue(value);
      if (!q) return std::nullopt;
      out.quality = *q;
      weighted = true;
    } else if (!weighted && iequals(name, parameter) && !out.version) {
      out.version = std::move(value);
    }
  }
  if (!covers(type, subtype, media_type)) out.version.reset();
  return out;
}

}  // namespace

std::optional<std::string> accept_version(std::span<const std::string_view> fields,
                                          std::string_view media_type, std::string_view parameter) {
  std::optional<std::string> best;
  int best_quality = 0;  // a range with q=0 never wins
  for (const std::string_view field : fields) {
    Scanner s{field};
    while (!s.done()) {
      s.skip_ows();
      if (s.peek() == ',') {  // an empty list element (§5.6.1)
        ++s.pos;
        continue;
      }
      if (s.done()) break;
      auto element = parse_element(s, media_type, parameter);
      if (!element) {
        s.skip_element();
        continue;
      }
      if (s.peek() == ',') ++s.pos;
      if (element->version && !element->version->empty() && element->quality > best_quality) {
        best_quality = element->quality;
        best = std::move(element->version);
      }
    }
  }
  return best;
}

}  // namespace archway::routing

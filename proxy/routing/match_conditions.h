#pragma once
// The non-path parts of a match (methods, headers, query parameters),
// compiled once per route table. Checked only on candidates the path index
// produced, in precedence order (route_table.h).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <re2/re2.h>

#include "common/result.h"
#include "proxy/config/snapshot.h"
#include "proxy/routing/route_table.h"

namespace archway::routing {

struct ValueCondition {
  std::string name;  // headers: lowercase; query: as written (case-sensitive)
  config::ValueMatchType type = config::ValueMatchType::kExact;
  std::string value;
  std::unique_ptr<RE2> regex;  // kRegularExpression only; anchored full match
};

// One request being matched: the query string is split and decoded the
// first time a condition needs it, and only then.
class RequestView {
 public:
  explicit RequestView(const RequestHead& head) : head_(head) {}
  [[nodiscard]] const RequestHead& head() const { return head_; }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& query();

 private:
  const RequestHead& head_;
  std::optional<std::vector<std::pair<std::string, std::string>>> query_;
};

struct MatchConditions {
  std::vector<std::string> methods;  // empty: any
  std::vector<ValueCondition> headers;
  std::vector<ValueCondition> query;

  [[nodiscard]] bool empty() const { return methods.empty() && headers.empty() && query.empty(); }

  // Every condition holds. A header condition holds when any field of that
  // name satisfies it (repeated headers are separate fields); a query
  // condition likewise for repeated parameters.
  [[nodiscard]] bool matches(RequestView& request) const;
};

// Builds the conditions of one Match. Errors name the field relative to the
// match ("headers[0].value"); the caller prefixes the match's own field, so
// no field name is built unless there is an error.
[[nodiscard]] Result<MatchConditions> compile_conditions(const config::Match& match);

// Anchored RE2 (full match). Errors name `field`.
[[nodiscard]] Result<std::unique_ptr<RE2>> compile_regex(const std::string& pattern,
                                                         const std::string& field);

// %XX decoding of a query component; '+' is kept (it is only a space in
// HTML form encoding, which routing does not assume). Bad escapes stay as text.
[[nodiscard]] std::string decode_query_component(std::string_view text);

}  // namespace archway::routing

#include "proxy/identity/strict_json.h"

#include <set>
#include <string>
#include <vector>

namespace archway::identity {

std::optional<nlohmann::json> parse_strict_json_object(std::string_view text) {
  // One set of member names per open object; arrays need none.
  std::vector<std::set<std::string>> open_objects;
  bool refused = false;
  auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (depth > kMaxJsonDepth) refused = true;
    switch (event) {
      case Event::object_start:
        open_objects.emplace_back();
        break;
      case Event::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case Event::key:
        if (open_objects.empty() || !parsed.is_string() ||
            !open_objects.back().insert(parsed.get_ref<const std::string&>()).second) {
          refused = true;
        }
        break;
      default:
        break;
    }
    return !refused;
  };
  nlohmann::json parsed = nlohmann::json::parse(text.begin(), text.end(), check,
                                                /*allow_exceptions=*/false);
  if (refused || parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

}  // namespace archway::identity

#include "proxy/filters/versioning/version_headers.h"

#include "proxy/cache/http_date.h"

namespace archway::filters {

std::string deprecation_value(std::chrono::sys_seconds when) {
  return "@" + std::to_string(when.time_since_epoch().count());
}

std::string sunset_value(std::chrono::sys_seconds when) {
  std::string out;
  cache::append_http_date(out, when);
  return out;
}

std::string link_value(const config::ApiVersion& version) {
  if (!version.link) return "";
  std::string out;
  const auto add = [&](std::string_view rel) {
    if (!out.empty()) out += ", ";
    out.append("<").append(*version.link).append(">; rel=\"").append(rel).append("\"");
  };
  if (version.deprecation) add("deprecation");
  if (version.sunset) add("sunset");
  return out;
}

http::Headers version_headers(const config::ApiVersion& version) {
  http::Headers out;
  if (version.deprecation) out.push_back({"deprecation", deprecation_value(*version.deprecation)});
  if (version.sunset) out.push_back({"sunset", sunset_value(*version.sunset)});
  if (std::string link = link_value(version); !link.empty()) {
    out.push_back({"link", std::move(link)});
  }
  return out;
}

bool in_brownout(const config::ApiVersion& version, std::chrono::sys_seconds now) {
  for (const config::Brownout& window : version.brownouts) {
    if (window.start <= now && now < window.end) return true;
  }
  return false;
}

}  // namespace archway::filters

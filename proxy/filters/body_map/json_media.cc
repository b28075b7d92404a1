#include "proxy/filters/body_map/json_media.h"

#include "proxy/http/field_text.h"

namespace archway::filters {

bool is_json_media_type(const http::Headers& headers) {
  const http::Header* type = nullptr;
  for (const auto& h : headers) {
    if (!http::iequals(h.name, "content-type")) continue;
    if (type != nullptr) return false;  // two Content-Type fields: no single answer
    type = &h;
  }
  if (type == nullptr) return false;
  std::string_view media = type->value;
  media = http::trim_ows(media.substr(0, media.find(';')));
  constexpr std::string_view kApplication = "application/";
  if (media.size() <= kApplication.size() ||
      !http::iequals(media.substr(0, kApplication.size()), kApplication)) {
    return false;
  }
  const std::string_view subtype = media.substr(kApplication.size());
  return http::iequals(subtype, "json") ||
         (subtype.size() > 5 && http::iequals(subtype.substr(subtype.size() - 5), "+json"));
}

bool has_content_coding(const http::Headers& headers) {
  for (const auto& h : headers) {
    if (!http::iequals(h.name, "content-encoding")) continue;
    if (!http::iequals(http::trim_ows(h.value), "identity")) return true;
  }
  return false;
}

}  // namespace archway::filters

#pragma once
// Which message bodies body mapping reads: JSON by media type
// (`application/json` or `application/<subtype>+json`, RFC 6839), with no
// content coding other than identity (a gzip body is bytes we do not
// decode). Pure.

#include "proxy/http/headers.h"

namespace archway::filters {

[[nodiscard]] bool is_json_media_type(const http::Headers& headers);
[[nodiscard]] bool has_content_coding(const http::Headers& headers);

}  // namespace archway::filters

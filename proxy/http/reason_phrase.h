#pragma once
// Reason phrases for the status lines we write (HTTP/1.1 responses to
// clients). HTTP/2 has none; a status we do not list gets an empty phrase,
// which RFC 9112 §4 allows.

namespace archway::http {

[[nodiscard]] const char* http_reason(int status);

}  // namespace archway::http

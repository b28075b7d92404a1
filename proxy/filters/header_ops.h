#pragma once
// The route's header operations (requestHeaders / responseHeaders) on the
// network side's header type; used by the transformation and local-answer
// filters. Pure; unit-tested (tests/proxy/request_rewrite_test.cc).

#include "proxy/config/snapshot.h"
#include "proxy/http/message.h"

namespace archway::filters {

// remove, set (replace all), add (append), in that order; names are
// lowercased as the codecs store them.
void apply_header_ops(const config::HeaderOps& ops, http::Headers& headers);

}  // namespace archway::filters

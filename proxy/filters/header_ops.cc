#include "proxy/filters/header_ops.h"

#include <algorithm>

#include "proxy/http/hop_by_hop.h"

namespace archway::filters {

void apply_header_ops(const config::HeaderOps& ops, http::Headers& headers) {
  const auto erase_named = [&headers](const std::string& name) {
    http::erase_if(headers, [&](const http::Header& h) { return h.name == name; });
  };
  for (std::string name : ops.remove) {
    http::lowercase(name);
    erase_named(name);
  }
  for (const config::HeaderValue& set : ops.set) {
    std::string name = set.name;
    http::lowercase(name);
    erase_named(name);
    headers.push_back({std::move(name), set.value});
  }
  for (const config::HeaderValue& add : ops.add) {
    std::string name = add.name;
    http::lowercase(name);
    headers.push_back({std::move(name), add.value});
  }
}

}  // namespace archway::filters

#pragma once
// JSON tree → Snapshot, types only (snapshot_validate.cc judges the values).
// Internal to the parser: split by part of the document.

#include <string>

#include "common/result.h"
#include "proxy/config/json_decoder.h"
#include "proxy/config/snapshot.h"

namespace archway::config {

[[nodiscard]] Result<Snapshot> decode_snapshot(const Json& root);
void decode_route(Decoder& decoder, const Json& json, const std::string& path, Route& out);

// Reads an enum spelled as in DESIGN.md §2; unknown spellings fail with
// "must be one of <choices>".
template <typename E, typename Lookup>
void get_enum(Decoder& decoder, ObjectReader& reader, std::string_view key, E& out, Lookup lookup,
              const char* choices) {
  std::optional<std::string> name;
  reader.get(key, name);
  if (!name || decoder.failed()) return;
  if (auto value = lookup(*name)) {
    out = *value;
  } else {
    decoder.fail(reader.field(key), std::string("must be one of ") + choices);
  }
}

}  // namespace archway::config

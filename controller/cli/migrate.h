#pragma once
// `kubectl archway migrate`: Ingress documents → equivalent APIRoutes. Each
// Ingress goes through the controller's own pure compile (as if it were of
// our class) and the APIRoute is rendered from the typed rule fields that
// compile produced (config::Route and its policies), never from the
// Ingress's annotations: whatever the Ingress compile learns to import
// (issue 19, annotation import) is rendered here without a change. A field
// this renderer does not know is named in a YAML comment and a warning,
// never dropped silently. Pure.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controller/cli/yaml_writer.h"
#include "controller/compile/compile.h"
#include "proxy/config/snapshot.h"

namespace archway::controller::cli {

struct MigratedDocument {
  OrderedJson api_route;
  std::vector<std::string> notes;  // written as comments above it
};

struct MigrateResult {
  std::vector<MigratedDocument> documents;
  // Everything a person must look at (also in the notes), prefixed with
  // the Ingress; refusals included.
  std::vector<std::string> warnings;
  bool ok = true;  // false when an Ingress could not be migrated
};

struct MigrateOptions {
  std::string api_route_class = "archway";  // spec.ingressClassName of the APIRoutes
};

// Non-Ingress documents are skipped with a warning.
[[nodiscard]] MigrateResult migrate(const std::vector<nlohmann::json>& documents,
                                    const MigrateOptions& options);

// How compile sees one Ingress here: as ours whatever its class.
[[nodiscard]] compile::CompileOptions migrate_compile_options(const nlohmann::json& ingress);

// One compiled route → one APIRoute rule (its clusters looked up in
// `snapshot`); what has no APIRoute rendering is added to `notes`.
[[nodiscard]] OrderedJson render_rule(const config::Route& route, const config::Snapshot& snapshot,
                                      std::vector<std::string>& notes);

// "---"-separated YAML, each document preceded by its notes as comments.
[[nodiscard]] std::string migrate_yaml(const MigrateResult& result);
// A kubectl List of the APIRoutes (notes are in `warnings` only).
[[nodiscard]] OrderedJson migrate_list(const MigrateResult& result);

}  // namespace archway::controller::cli

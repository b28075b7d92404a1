#pragma once
// `-o table|json|yaml`: every command builds one JSON document (the
// machine-readable answer) and a table (the readable one); this picks. Pure.

#include <functional>
#include <optional>
#include <string>

#include "controller/cli/yaml_writer.h"

namespace archway::controller::cli {

enum class OutputFormat { kTable, kJson, kYaml };

// "table" (or empty), "json", "yaml"; nullopt for anything else.
[[nodiscard]] std::optional<OutputFormat> parse_output_format(const std::string& text);

// JSON: two-space indented, one trailing newline; YAML: to_yaml; table:
// what `table` returns.
[[nodiscard]] std::string render_output(OutputFormat format, const OrderedJson& document,
                                        const std::function<std::string()>& table);

}  // namespace archway::controller::cli

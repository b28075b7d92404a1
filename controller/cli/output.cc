#include "controller/cli/output.h"

namespace archway::controller::cli {

std::optional<OutputFormat> parse_output_format(const std::string& text) {
  if (text.empty() || text == "table" || text == "wide") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "yaml") return OutputFormat::kYaml;
  return std::nullopt;
}

std::string render_output(OutputFormat format, const OrderedJson& document,
                          const std::function<std::string()>& table) {
  switch (format) {
    case OutputFormat::kJson:
      return document.dump(2) + "\n";
    case OutputFormat::kYaml:
      return to_yaml(document);
    case OutputFormat::kTable:
      break;
  }
  return table();
}

}  // namespace archway::controller::cli

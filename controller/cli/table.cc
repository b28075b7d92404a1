#include "controller/cli/table.h"

#include <algorithm>

namespace archway::controller::cli {

std::string render_table(const Row& header, const std::vector<Row>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto measure = [&](const Row& row) {
    for (size_t i = 0; i < width.size() && i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  std::string out;
  auto emit = [&](const Row& row) {
    std::string line;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      line += cell;
      if (i + 1 < width.size()) line += std::string(width[i] - cell.size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  Row upper = header;
  for (auto& cell : upper) {
    for (char& c : cell) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  }
  emit(upper);
  for (const auto& row : rows) emit(row);
  return out;
}

}  // namespace archway::controller::cli

#pragma once
// kubectl's plain table: upper-case headers, columns padded to their widest
// cell and three spaces apart, no borders. Pure.

#include <string>
#include <vector>

namespace archway::controller::cli {

using Row = std::vector<std::string>;

// Rows shorter than the header are padded with empty cells. The last column
// is not padded (no trailing blanks).
[[nodiscard]] std::string render_table(const Row& header, const std::vector<Row>& rows);

}  // namespace archway::controller::cli

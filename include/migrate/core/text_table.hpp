// A plain-text table for results on standard output and in plain-text mail: column widths follow
// the content, so the columns stay aligned whatever a value's length (a mode such as
// `incremental+compare`, a long table name or position). Cells are made one-line
// (migrate/core/log_text.hpp). Not thread-safe.
#pragma once

#include <string>
#include <vector>

namespace migrate {

class TextTable {
public:
  enum class Align { left, right };
  struct Column {
    std::string header;
    Align align = Align::left;
  };

  explicit TextTable(std::vector<Column> columns);

  // One row; missing cells are empty, extra cells are an error (std::invalid_argument).
  void add_row(std::vector<std::string> cells);

  // The header and the rows, each line ending in '\n'; columns separated by two spaces, the last
  // column not padded (it may be long: an outcome with its error).
  std::string render() const;

private:
  std::vector<Column> m_columns;
  std::vector<std::vector<std::string>> m_rows;
};

} // namespace migrate

#include "migrate/core/text_table.hpp"

#include "migrate/core/log_text.hpp"

#include <algorithm>
#include <stdexcept>

namespace migrate {
namespace {

// Width on a terminal, counting each UTF-8 code point once (table names, keys may be non-ASCII).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

} // namespace

TextTable::TextTable(std::vector<Column> columns)
    : m_columns(std::move(columns)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  if (cells.size() > m_columns.size()) {
    throw std::invalid_argument("text table: more cells than columns");
  }
  cells.resize(m_columns.size());
  for (auto& cell : cells) {
    cell = one_line(cell);
  }
  m_rows.push_back(std::move(cells));
}

std::string TextTable::render() const {
  std::vector<std::size_t> widths;
  for (const auto& column : m_columns) {
    widths.push_back(display_width(column.header));
  }
  for (const auto& row : m_rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  }
  std::string out;
  const auto append_line = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool last = i + 1 == cells.size();
      const std::string pad(widths[i] - display_width(cells[i]), ' ');
      if (i > 0) {
        line += "  ";
      }
      if (m_columns[i].align == Align::right) {
        line += pad + cells[i];
      } else {
        line += cells[i] + (last ? std::string() : pad);
      }
    }
    line.erase(line.find_last_not_of(' ') + 1); // an empty last cell leaves no trailing space
    out += line + "\n";
  };
  std::vector<std::string> headers;
  for (const auto& column : m_columns) {
    headers.push_back(column.header);
  }
  append_line(headers);
  for (const auto& row : m_rows) {
    append_line(row);
  }
  return out;
}

} // namespace migrate

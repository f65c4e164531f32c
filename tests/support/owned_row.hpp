// A RowView over values the test owns (nullopt = NULL), as the MySQL text protocol hands them over.
#pragma once

#include "migrate/core/row.hpp"

#include <optional>
#include <string>
#include <vector>

namespace migrate::testing {

class OwnedRow {
public:
  explicit OwnedRow(std::vector<std::optional<std::string>> values)
      : m_values(std::move(values)) {
    for (const auto& value : m_values) {
      m_pointers.push_back(value ? value->data() : nullptr);
      m_lengths.push_back(value ? value->size() : 0);
    }
  }
  RowView view() const { return RowView{m_pointers.data(), m_lengths.data(), m_values.size()}; }

private:
  std::vector<std::optional<std::string>> m_values;
  std::vector<const char*> m_pointers;
  std::vector<unsigned long> m_lengths;
};

} // namespace migrate::testing

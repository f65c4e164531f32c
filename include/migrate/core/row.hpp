// A borrowed view of one source row: the values as the MySQL text protocol delivers them.
#pragma once

#include <cstddef>
#include <string_view>

namespace migrate {

struct RowView {
  const char* const* values = nullptr; // values[i] == nullptr means SQL NULL
  const unsigned long* lengths = nullptr;
  std::size_t size = 0;

  bool is_null(std::size_t i) const { return values[i] == nullptr; }
  std::string_view at(std::size_t i) const { return {values[i], lengths[i]}; }
};

} // namespace migrate

#include "migrate/core/schema.hpp"

#include <strings.h>

namespace migrate {

const SourceColumn* SourceTable::find(const std::string& column_name) const {
  for (const auto& column : columns) {
    if (strcasecmp(column.name.c_str(), column_name.c_str()) == 0) {
      return &column;
    }
  }
  return nullptr;
}

} // namespace migrate

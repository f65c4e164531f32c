// Row-count validation: source vs target, per table.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/source/source.hpp"
#include "migrate/target/target.hpp"
#include "migrate/validate/row_search.hpp"

#include <cstdint>
#include <string>

namespace migrate::validate {

struct CountCheck {
  std::string table;
  std::uint64_t source_rows = 0;
  std::uint64_t target_rows = 0;
  std::uint64_t excluded_by_where = 0; // MySQL rows the mapping's `where` leaves out
  std::uint64_t soft_deleted = 0;      // target rows marked deleted (deletes: soft)
  std::string error;                   // set when either side could not be counted

  bool ok() const { return error.empty() && source_rows == target_rows; }
};

// Counts both sides of the table `view` describes. Never throws for a table's own failure: the
// error is in the result.
CountCheck check_counts(const TableView& view, source::Source& source, target::Target& target);

} // namespace migrate::validate

#include "migrate/validate/count_check.hpp"

#include <exception>

namespace migrate::validate {

CountCheck check_counts(const TableView& view, source::Source& source, target::Target& target) {
  const auto& mapping = *view.mapping;
  CountCheck check;
  check.table = mapping.source_table;
  try {
    source::ReadRequest rows;
    rows.table = mapping.source_table;
    rows.where = mapping.where;
    check.source_rows = source.count_rows(rows);
    if (!mapping.where.empty()) {
      rows.where.clear();
      check.excluded_by_where = source.count_rows(rows) - check.source_rows;
    }
    // Soft-deleted rows are gone from the source: the expected table says which column marks them.
    auto expected = view.target;
    if (!target.describe(expected.schema, expected.name)) {
      check.error = "target table " + expected.qualified_name() + " does not exist";
      return check;
    }
    check.target_rows = target.count_rows(expected);
    if (!expected.soft_delete_column.empty()) {
      expected.soft_delete_column.clear();
      check.soft_deleted = target.count_rows(expected) - check.target_rows;
    }
  } catch (const std::exception& e) {
    check.error = e.what();
  }
  return check;
}

} // namespace migrate::validate

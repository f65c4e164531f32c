#include "migrate/validate/count_check.hpp"

#include <exception>

namespace migrate::validate {

CountCheck
check_counts(const config::TableMapping& mapping, source::Source& source, target::Target& target) {
  CountCheck check;
  check.table = mapping.source_table;
  try {
    check.source_rows = source.count_rows(mapping.source_table, mapping.where);
    if (!mapping.where.empty()) {
      check.excluded_by_where = source.count_rows(mapping.source_table, "") - check.source_rows;
    }
    auto table = target.describe(mapping.target_schema, mapping.target_table);
    if (!table) {
      check.error =
          "target table " + mapping.target_schema + "." + mapping.target_table + " does not exist";
      return check;
    }
    if (mapping.deletes == config::DeletePolicy::soft) {
      const auto all = target.count_rows(*table);
      table->soft_delete_column =
          mapping.soft_delete_column; // marked rows are gone from the source
      check.target_rows = target.count_rows(*table);
      check.soft_deleted = all - check.target_rows;
    } else {
      check.target_rows = target.count_rows(*table);
    }
  } catch (const std::exception& e) {
    check.error = e.what();
  }
  return check;
}

} // namespace migrate::validate

// The columns of the state stores' records: one list per table, by name and in the order both
// SqliteStateStore and PostgresStateStore read a record back and insert it. Their tables have the
// same names and columns; only the DDL types differ (PostgreSQL stores times as timestamptz), so
// each store turns a list into its own SQL with select_list(). Each record's namespace has an
// enumeration of the positions in its list, which a store's reader indexes rows by; the two are
// kept in the same order (a static_assert checks that no list is shorter than its enumeration;
// test_state_columns.cpp pins each name to its position).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace migrate::state::columns {

// How a store reads a column back.
enum class Kind {
  value,         // as stored
  nullable_text, // NULL read as ''
  time,          // a UTC time, read as format_utc() writes it
};

struct Column {
  std::string_view name;
  Kind kind = Kind::value;
};

// `table_state`: one table's position.
namespace position {
enum Index : int { table_name, phase, cursor_timestamp, cursor_key, updated_at, target_id, count };
} // namespace position
inline constexpr std::array<Column, position::count> k_positions = {{
    {"table_name"},
    {"phase"},
    {"cursor_timestamp"},
    {"cursor_key"},
    {"updated_at", Kind::time},
    {"target_id"},
}};

// `runs`: one table run. The error fields follow `error_area` in this order (a store may read
// them by offset).
namespace run {
enum Index : int {
  id,
  table_name,
  mode,
  started_at,
  outcome,
  rows_read,
  rows_inserted,
  rows_updated,
  rows_unchanged,
  rows_deleted,
  zero_dates,
  duration_ms,
  watermark,
  upper_bound,
  error,
  null_timestamps,
  chunks_compared,
  chunks_differing,
  quarantined,
  found_by_comparison,
  retries,
  error_area,
  error_table,
  error_column,
  error_key,
  error_sql,
  error_sqlstate,
  error_transient,
  invocation_id,
  schema_changes,
  held_back,
  count
};
} // namespace run
inline constexpr std::array<Column, run::count> k_runs = {{
    {"id"},
    {"table_name"},
    {"mode"},
    {"started_at", Kind::time},
    {"outcome"},
    {"rows_read"},
    {"rows_inserted"},
    {"rows_updated"},
    {"rows_unchanged"},
    {"rows_deleted"},
    {"zero_dates"},
    {"duration_ms"},
    {"watermark", Kind::nullable_text},
    {"upper_bound", Kind::nullable_text},
    {"error", Kind::nullable_text},
    {"null_timestamps"},
    {"chunks_compared"},
    {"chunks_differing"},
    {"quarantined"},
    {"found_by_comparison"},
    {"retries"},
    {"error_area", Kind::nullable_text},
    {"error_table", Kind::nullable_text},
    {"error_column", Kind::nullable_text},
    {"error_key", Kind::nullable_text},
    {"error_sql", Kind::nullable_text},
    {"error_sqlstate", Kind::nullable_text},
    {"error_transient"},
    {"invocation_id"},
    {"schema_changes"},
    {"held_back"},
}};

// `invocations`, as a copy of another store writes them (the stores read them back joined with
// their runs).
namespace invocation {
enum Index : int {
  id,
  started_at,
  finished_at,
  duration_ms,
  host,
  pid,
  options,
  exit_code,
  notify_failures,
  count
};
} // namespace invocation
inline constexpr std::array<Column, invocation::count> k_invocations = {{
    {"id"},
    {"started_at", Kind::time},
    {"finished_at", Kind::time},
    {"duration_ms"},
    {"host"},
    {"pid"},
    {"options"},
    {"exit_code"},
    {"notify_failures"},
}};

// `quarantine`: one rejected value.
namespace quarantine {
enum Index : int { table_name, row_key, column_name, reason, raw_hex, run_id, rejected_at, count };
} // namespace quarantine
inline constexpr std::array<Column, quarantine::count> k_quarantine = {{
    {"table_name"},
    {"row_key"},
    {"column_name"},
    {"reason"},
    {"raw_hex"},
    {"run_id"},
    {"rejected_at", Kind::time},
}};

// `validations`: one table's validation (its differing rows are in `validation_rows`).
namespace validation {
enum Index : int {
  id,
  table_name,
  checked_at,
  kind,
  mysql_rows,
  postgresql_rows,
  behind,
  quarantined,
  unexplained,
  chunks_compared,
  chunks_differing,
  outcome,
  summary,
  error,
  repaired,
  count
};
} // namespace validation
inline constexpr std::array<Column, validation::count> k_validations = {{
    {"id"},
    {"table_name"},
    {"checked_at", Kind::time},
    {"kind"},
    {"mysql_rows"},
    {"postgresql_rows"},
    {"behind"},
    {"quarantined"},
    {"unexplained"},
    {"chunks_compared"},
    {"chunks_differing"},
    {"outcome"},
    {"summary"},
    {"error"},
    {"repaired"},
}};

// `validation_rows`: one differing row of a validation.
namespace validation_row {
enum Index : int { validation_id, row_key, difference, chunk, count };
} // namespace validation_row
inline constexpr std::array<Column, validation_row::count> k_validation_rows = {{
    {"validation_id"},
    {"row_key"},
    {"difference"},
    {"chunk"},
}};

// `cutovers`: one table's cutover. Both stores keep `finished_at` as text, as the record has it.
namespace cutover {
enum Index : int {
  id,
  table_name,
  invocation_id,
  finished_at,
  by_whom,
  outcome,
  summary,
  reverted_at,
  reverted_by,
  count
};
} // namespace cutover
inline constexpr std::array<Column, cutover::count> k_cutovers = {{
    {"id"},
    {"table_name"},
    {"invocation_id"},
    {"finished_at"},
    {"by_whom"},
    {"outcome"},
    {"summary"},
    {"reverted_at"},
    {"reverted_by"},
}};

// Every column of a list has a name: a list shorter than its enumeration fails to compile.
template<std::size_t N>
constexpr bool all_named(const std::array<Column, N>& columns) {
  for (const auto& column : columns) {
    if (column.name.empty()) {
      return false;
    }
  }
  return true;
}
static_assert(all_named(k_positions) && all_named(k_runs) && all_named(k_invocations)
              && all_named(k_quarantine) && all_named(k_validations) && all_named(k_validation_rows)
              && all_named(k_cutovers));

// The columns as `expression(column)` writes each, comma-separated: a store's select list.
template<std::size_t N, typename Expression>
std::string select_list(const std::array<Column, N>& columns, Expression expression) {
  std::string out;
  for (const auto& column : columns) {
    if (!out.empty()) {
      out += ", ";
    }
    out += expression(column);
  }
  return out;
}

// The names alone, comma-separated: an INSERT's column list.
template<std::size_t N>
std::string name_list(const std::array<Column, N>& columns) {
  return select_list(columns, [](const Column& column) { return std::string(column.name); });
}

// Each record's select list, as one store reads its columns back (`expression`).
struct SelectLists {
  std::string positions;
  std::string runs;
  std::string quarantine;
  std::string validations;
  std::string cutovers;
};

template<typename Expression>
SelectLists select_lists(Expression expression) {
  return {select_list(k_positions, expression),
          select_list(k_runs, expression),
          select_list(k_quarantine, expression),
          select_list(k_validations, expression),
          select_list(k_cutovers, expression)};
}

} // namespace migrate::state::columns

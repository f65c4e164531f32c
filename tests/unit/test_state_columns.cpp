#include "state/columns.hpp"

#include <gtest/gtest.h>

#include <array>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace migrate::state::columns {
namespace {

// Each position paired with the name its list must hold there. Written out by hand on purpose:
// the stores read rows by position, so a list reordered without its enumeration must fail here.
template<std::size_t N>
void expect_names(const std::array<Column, N>& list,
                  std::initializer_list<std::pair<int, std::string_view>> expected) {
  ASSERT_EQ(expected.size(), N);
  for (const auto& [index, name] : expected) {
    EXPECT_EQ(list.at(static_cast<std::size_t>(index)).name, name) << "position " << index;
  }
}

TEST(StateColumns, PositionNamesFollowTheirEnumeration) {
  using namespace position;
  expect_names(k_positions,
               {{table_name, "table_name"},
                {phase, "phase"},
                {cursor_timestamp, "cursor_timestamp"},
                {cursor_key, "cursor_key"},
                {updated_at, "updated_at"},
                {target_id, "target_id"}});
}

TEST(StateColumns, RunNamesFollowTheirEnumeration) {
  using namespace run;
  expect_names(k_runs,
               {{id, "id"},
                {table_name, "table_name"},
                {mode, "mode"},
                {started_at, "started_at"},
                {outcome, "outcome"},
                {rows_read, "rows_read"},
                {rows_inserted, "rows_inserted"},
                {rows_updated, "rows_updated"},
                {rows_unchanged, "rows_unchanged"},
                {rows_deleted, "rows_deleted"},
                {zero_dates, "zero_dates"},
                {duration_ms, "duration_ms"},
                {watermark, "watermark"},
                {upper_bound, "upper_bound"},
                {error, "error"},
                {null_timestamps, "null_timestamps"},
                {chunks_compared, "chunks_compared"},
                {chunks_differing, "chunks_differing"},
                {quarantined, "quarantined"},
                {found_by_comparison, "found_by_comparison"},
                {retries, "retries"},
                {error_area, "error_area"},
                {error_table, "error_table"},
                {error_column, "error_column"},
                {error_key, "error_key"},
                {error_sql, "error_sql"},
                {error_sqlstate, "error_sqlstate"},
                {error_transient, "error_transient"},
                {invocation_id, "invocation_id"},
                {schema_changes, "schema_changes"},
                {held_back, "held_back"}});
}

TEST(StateColumns, RunErrorFieldsFollowErrorAreaInTheOrderStoresReadThem) {
  using namespace run;
  EXPECT_EQ(error_table, error_area + 1);
  EXPECT_EQ(error_column, error_area + 2);
  EXPECT_EQ(error_key, error_area + 3);
  EXPECT_EQ(error_sql, error_area + 4);
  EXPECT_EQ(error_sqlstate, error_area + 5);
  EXPECT_EQ(error_transient, error_area + 6);
}

TEST(StateColumns, InvocationNamesFollowTheirEnumeration) {
  using namespace invocation;
  expect_names(k_invocations,
               {{id, "id"},
                {started_at, "started_at"},
                {finished_at, "finished_at"},
                {duration_ms, "duration_ms"},
                {host, "host"},
                {pid, "pid"},
                {options, "options"},
                {exit_code, "exit_code"},
                {notify_failures, "notify_failures"}});
}

TEST(StateColumns, QuarantineNamesFollowTheirEnumeration) {
  using namespace quarantine;
  expect_names(k_quarantine,
               {{table_name, "table_name"},
                {row_key, "row_key"},
                {column_name, "column_name"},
                {reason, "reason"},
                {raw_hex, "raw_hex"},
                {run_id, "run_id"},
                {rejected_at, "rejected_at"}});
}

TEST(StateColumns, ValidationNamesFollowTheirEnumeration) {
  using namespace validation;
  expect_names(k_validations,
               {{id, "id"},
                {table_name, "table_name"},
                {checked_at, "checked_at"},
                {kind, "kind"},
                {mysql_rows, "mysql_rows"},
                {postgresql_rows, "postgresql_rows"},
                {behind, "behind"},
                {quarantined, "quarantined"},
                {unexplained, "unexplained"},
                {chunks_compared, "chunks_compared"},
                {chunks_differing, "chunks_differing"},
                {outcome, "outcome"},
                {summary, "summary"},
                {error, "error"},
                {repaired, "repaired"}});
}

TEST(StateColumns, ValidationRowAndCutoverNamesFollowTheirEnumeration) {
  {
    using namespace validation_row;
    expect_names(k_validation_rows,
                 {{validation_id, "validation_id"},
                  {row_key, "row_key"},
                  {difference, "difference"},
                  {chunk, "chunk"}});
  }
  using namespace cutover;
  expect_names(k_cutovers,
               {{id, "id"},
                {table_name, "table_name"},
                {invocation_id, "invocation_id"},
                {finished_at, "finished_at"},
                {by_whom, "by_whom"},
                {outcome, "outcome"},
                {summary, "summary"},
                {reverted_at, "reverted_at"},
                {reverted_by, "reverted_by"}});
}

TEST(StateColumns, SelectListWritesEachColumnThroughTheExpressionInOrder) {
  const auto list = select_list(k_validation_rows, [](const Column& column) {
    return column.name == "chunk" ? std::string("coalesce(chunk, '')") : std::string(column.name);
  });
  EXPECT_EQ(list, "validation_id, row_key, difference, coalesce(chunk, '')");
  EXPECT_EQ(name_list(k_validation_rows), "validation_id, row_key, difference, chunk");
}

} // namespace
} // namespace migrate::state::columns

// How one table is converted: its columns in select order with their target types, transformations
// and limits, its key, sync mode and timestamp column, and the target table they make. Built once
// per run from MySQL's description and the mapping; read by the encoder, the comparison plan and
// the pipeline.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/convert/key_choice.hpp"
#include "migrate/convert/type_map.hpp"
#include "migrate/core/schema.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::convert {

// What the target column can hold, beyond its type's own parsing: checked before COPY, so one bad
// value never fails a whole batch in PostgreSQL.
struct TargetLimits {
  std::optional<std::int64_t> min_integer; // smallint / integer / bigint
  std::optional<std::int64_t> max_integer;
  std::optional<int> max_chars;      // varchar(n), char(n)
  std::optional<int> integer_digits; // numeric(p,s): p - s
  std::optional<int> scale;          // numeric(p,s): s
  bool boolean = false;              // only 0/1 (or t/f) fit

  bool any() const;
};

TargetLimits limits_of(const std::string& pg_type);

// One source column as read and written: its position in the select list is its index in the plan.
struct ColumnPlan {
  SourceColumn source;
  std::string target_name;
  TargetType type;
  std::vector<config::Transformation> transforms; // value transformations, in order
  bool fix_double_encoding = false;
  TargetLimits limits;
  bool not_null = false; // the target column refuses NULL

  bool is_textual() const;
};

// The columns of one table in select order, with the key columns' positions.
struct TablePlan {
  std::vector<ColumnPlan> columns;
  std::vector<std::size_t> key_positions; // primary key, in key order; empty without a key
  KeyChoice key;                          // where the key came from
  config::SyncMode sync = config::SyncMode::upsert;
  std::optional<std::size_t> timestamp_position;
  config::BadTextPolicy bad_text = config::BadTextPolicy::reject;
  std::optional<std::string> zero_date; // sentinel; unset: NULL
  config::EnumAs enum_as = config::EnumAs::check;
  std::string where;
  std::vector<SourceIndex> indexes; // secondary indexes to build (when the mapping asks)
};

// Builds the plan from MySQL's description and the mapping; throws Error(area config) naming the
// mapping's file and line for a column the MySQL table lacks, a transformation that cannot apply,
// or a sync mode the table's key does not allow (see choose_key and choose_sync_mode).
TablePlan plan_table(const SourceTable& source, const config::TableMapping& mapping);

// What happens to target rows whose source row is gone: the mapping's `deletes`, else remove for
// a table without a timestamp column (its comparison sees deletes anyway) and ignore for others.
config::DeletePolicy delete_policy(const config::TableMapping& mapping, const TablePlan& plan);

// The target table as the tool creates and expects it, the one description every part uses: the
// plan's columns with the row digest column, its key and indexes, and the soft-delete column when
// deletes are soft.
TargetTable target_table(const config::TableMapping& mapping, const TablePlan& plan);

} // namespace migrate::convert

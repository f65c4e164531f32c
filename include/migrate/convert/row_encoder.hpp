// Turns source rows into PostgreSQL COPY text lines: the per-row hot path.
//
// Built once per table from the column plan; encode() appends to a caller-owned buffer and
// allocates nothing per value. Not thread-safe: one encoder per thread.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/convert/type_map.hpp"
#include "migrate/core/row.hpp"
#include "migrate/core/schema.hpp"

#include <cstdint>
#include <locale.h>
#include <string>
#include <vector>

namespace migrate::convert {

// One source column as read and written: its position in the select list is its index in the plan.
struct ColumnPlan {
  SourceColumn source;
  std::string target_name;
  TargetType type;
  bool lowercase = false;
};

// The columns of one table in select order, with the key columns' positions.
struct TablePlan {
  std::vector<ColumnPlan> columns;
  std::vector<std::size_t> key_positions;   // primary key, in key order
  std::optional<std::size_t> timestamp_position;

  TargetTable target_table(const std::string& schema, const std::string& name) const;
};

// Builds the plan from MySQL's description and the mapping; throws Error(area config) naming the
// mapping's file and line for a key or timestamp column the MySQL table lacks.
TablePlan plan_table(const SourceTable& source, const config::TableMapping& mapping);

struct EncodeStats {
  std::uint64_t zero_dates = 0; // zero or partial-zero dates written as NULL
};

class RowEncoder {
public:
  explicit RowEncoder(const TablePlan& plan);
  ~RowEncoder();
  RowEncoder(const RowEncoder&) = delete;
  RowEncoder& operator=(const RowEncoder&) = delete;

  // Appends one COPY line (with its newline) to `out`. On a value that cannot be converted, throws
  // Error(area convert) naming the column and the row's key, and leaves `out` as it was.
  void encode(const RowView& row, std::string& out);

  // "id=42" or "film_id=1,actor_id=7": the row's key for messages.
  std::string render_key(const RowView& row) const;

  const EncodeStats& stats() const { return m_stats; }

private:
  void append_value(std::size_t index, const RowView& row, std::string& out);
  void append_lowercase(std::string_view value, std::string& out);

  const TablePlan& m_plan;
  EncodeStats m_stats;
  locale_t m_utf8 = nullptr;
  std::string m_scratch;
};

} // namespace migrate::convert

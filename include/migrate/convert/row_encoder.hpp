// Turns source rows into PostgreSQL COPY text lines: the per-row hot path.
//
// Built once per table from the column plan; encode() appends to a caller-owned buffer and reuses
// its scratch buffers, so the steady state allocates nothing per value. A value that cannot be
// represented is not an exception: encode() returns a Rejection and the table's policy decides
// (the row goes to the quarantine). Not thread-safe: one encoder per thread.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/convert/key_choice.hpp"
#include "migrate/convert/type_map.hpp"
#include "migrate/core/row.hpp"
#include "migrate/core/schema.hpp"

#include <locale.h>

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

  TargetTable target_table(const std::string& schema, const std::string& name) const;
};

// Builds the plan from MySQL's description and the mapping; throws Error(area config) naming the
// mapping's file and line for a column the MySQL table lacks, a transformation that cannot apply,
// or a sync mode the table's key does not allow (see choose_key and choose_sync_mode).
TablePlan plan_table(const SourceTable& source, const config::TableMapping& mapping);

struct EncodeStats {
  std::uint64_t zero_dates = 0; // zero or partial-zero dates written as NULL or sentinel (rows
                                // rejected for another value do not count)
  std::vector<std::uint64_t> zero_dates_by_column;
  std::uint64_t repaired_encodings = 0; // double-encoded values repaired
  std::uint64_t bad_text_fixed = 0;     // values stripped or replaced under bad_text
};

struct Rejection {
  std::size_t column = 0; // position in the plan
  std::string reason;
  std::string raw; // the value as read from MySQL
};

class RowEncoder {
public:
  explicit RowEncoder(const TablePlan& plan);
  ~RowEncoder();
  RowEncoder(const RowEncoder&) = delete;
  RowEncoder& operator=(const RowEncoder&) = delete;

  // Appends one COPY line (with its newline) to `out`, or returns why the row cannot be written and
  // leaves `out` as it was.
  std::optional<Rejection> encode(const RowView& row, std::string& out);

  // "id=42" or "film_id=1,actor_id=7": the row's key for messages and the quarantine; every
  // column for a table without a key.
  std::string render_key(const RowView& row) const;

  const EncodeStats& stats() const { return m_stats; }

private:
  bool append_value(std::size_t index, const RowView& row, std::string& out);
  static bool append_plain(ValueKind kind, std::string_view raw, std::string& out);
  bool convert_value(std::size_t index, std::string_view raw);
  bool apply_transforms(const ColumnPlan& column);
  bool check_text(std::string& value, bool key);
  bool check_limits(const ColumnPlan& column);
  bool reject(std::size_t index, std::string reason);
  void lowercase_or_uppercase(std::string& value, bool upper);

  const TablePlan& m_plan;
  EncodeStats m_stats;
  std::vector<std::size_t> m_zero_date_columns; // counted in the row being encoded
  locale_t m_utf8 = nullptr;
  std::string m_value; // the value being converted (unescaped)
  bool m_null = false;
  std::string m_scratch;
  Rejection m_rejection;
  std::vector<bool> m_is_key;
};

// Repairs UTF-8 that was stored through a latin1 (cp1252) connection: "CafÃ©" → "Café". Returns
// false, leaving `out` unspecified, when `value` is not such text (then it is left as it is).
bool repair_double_encoded(std::string_view value, std::string& out);

// True when `value` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view value);

// True when `value` is well-formed UTF-8 without NUL bytes: text PostgreSQL can hold as it is.
bool is_clean_text(std::string_view value);

// E.164: "+<country><number>". Numbers written with + or 00 carry their country; the others take
// `country_code` (empty: none, so they fail). False when the digits cannot make a plausible number.
bool format_phone(std::string_view value, const std::string& country_code, std::string& out);

} // namespace migrate::convert

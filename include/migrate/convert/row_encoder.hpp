// Turns source rows into PostgreSQL COPY rows, in text or binary format: the per-row hot path.
//
// Built once per table from its plan (table_plan.hpp); encode() appends to a caller-owned buffer
// and reuses its scratch buffers, so the steady state allocates nothing per value. A value that
// cannot be represented is not an exception: encode() returns a Rejection and the table's policy
// decides (the row goes to the quarantine). Not thread-safe: one encoder per thread.
#pragma once

#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/row_seal.hpp"
#include "migrate/convert/table_plan.hpp"
#include "migrate/convert/text_repair.hpp"
#include "migrate/core/copy_format.hpp"
#include "migrate/core/row.hpp"
#include "migrate/core/schema.hpp"

#include <locale.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate::convert {

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
  // CopyFormat::binary only for a plan binary_columns() accepts (else Error, area internal).
  // `seal`: each binary row also carries its seal (row_seal.hpp), after the digest; only for a
  // plan seal_kinds() accepts.
  explicit RowEncoder(const TablePlan& plan,
                      CopyFormat format = CopyFormat::text,
                      bool seal = false);
  ~RowEncoder();
  RowEncoder(const RowEncoder&) = delete;
  RowEncoder& operator=(const RowEncoder&) = delete;

  // Appends one COPY row to `out`, or returns why the row cannot be written and leaves `out` as it
  // was. A row is left open for one more field, the row digest (append_digest): in text, its
  // line's '\n' is last; in binary, its field count counts the digest (and the seal, when sealing:
  // append_seal() after the digest).
  std::optional<Rejection> encode(const RowView& row, std::string& out);

  // Whether rows carry their seal, and the last encoded row's.
  bool seals() const { return !m_seal_kinds.empty(); }
  void append_seal(std::string& out) const;

  CopyFormat format() const { return m_binary.empty() ? CopyFormat::text : CopyFormat::binary; }

  // "id=42" or "film_id=1,actor_id=7": the row's key for messages and the quarantine; every
  // column for a table without a key.
  std::string render_key(const RowView& row) const;

  const EncodeStats& stats() const { return m_stats; }

private:
  // Why a value cannot be written; nullopt when it can.
  using Problem = std::optional<std::string>;

  Problem append_value(std::size_t index, const RowView& row, std::string& out);
  static bool append_plain(ValueKind kind, std::string_view raw, std::string& out);
  bool append_plain_binary(std::size_t index, std::string_view raw, std::string& out) const;
  void append_null(std::string& out) const;
  Problem append_converted(std::size_t index, std::string& out);
  Problem convert_value(std::size_t index, std::string_view raw);
  void convert_temporal(std::size_t index, std::string_view raw);
  Problem apply_transforms(const ColumnPlan& column);
  Problem check_text(std::string& value, bool key);
  Problem check_limits(const ColumnPlan& column);
  void lowercase_or_uppercase(std::string& value, bool upper);

  const TablePlan& m_plan;
  EncodeStats m_stats;
  std::vector<std::size_t> m_zero_date_columns; // counted in the row being encoded
  locale_t m_utf8 = nullptr;
  std::string m_value; // the value being converted (unescaped)
  bool m_null = false;
  std::string m_scratch;
  std::vector<bool> m_is_key;
  std::vector<BinaryType> m_binary;   // each column's binary type; empty for the text format
  std::vector<SealKind> m_seal_kinds; // each column's, when rows carry their seal
  std::int64_t m_seal = 0;            // the last encoded row's
};

} // namespace migrate::convert

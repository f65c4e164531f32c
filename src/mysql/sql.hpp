// The SQL MysqlSource sends that has logic in it, built from plain data: no connection, so each
// statement is tested as text (tests/unit/test_mysql_sql.cpp). The comparison half must print the
// same text for the same value as postgres/sql.hpp (docs/change-detection.md;
// tests/unit/test_comparison_sql.cpp). No Connector/C header here: the unit tests compile it
// without its include path.
#pragma once

#include "migrate/convert/type_map.hpp" // ReadDialect
#include "migrate/core/compare.hpp"
#include "migrate/core/schema.hpp"
#include "migrate/source/source.hpp" // ReadRequest

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace migrate::source {

// How a value the user or the state gave becomes a literal. On a read, the connection's
// mysql_real_escape_string (Connection::literal), which follows the session's character set and
// NO_BACKSLASH_ESCAPES: never sql_literal.
using Literal = std::function<std::string(const std::string&)>;

std::string quote_name(const std::string& name);
// A literal for comparison SQL, where no connection is at hand (default sql_mode escaping).
std::string sql_literal(const std::string& value);
// A value to compare with `column`: numbers stay unquoted, since MySQL compares a number with a
// string as doubles and would lose precision past 2^53; the rest through `literal`.
std::string
literal_for(const SourceColumn& column, const std::string& value, const Literal& literal);

// ---- reads ----

// " WHERE ..." with every condition of the request, or "" when it has none.
std::string where_clause(const ReadRequest& request, const Literal& literal);
std::string build_read_sql(const ReadRequest& request,
                           const convert::ReadDialect& dialect,
                           const Literal& literal);
std::string count_rows_sql(const ReadRequest& request, const Literal& literal);
std::string
key_range_sql(const std::string& table, const std::string& key_column, const std::string& where);

// ---- comparison: must print exactly what postgres/sql.hpp prints for the same value ----

// The normalised text of one value, NULL when the value is NULL.
std::string hash_text(const HashColumn& column,
                      const std::optional<std::string>& zero_date,
                      const convert::ReadDialect& dialect);
// hash_text, hashed alone for the kinds that are (hashed_alone), NULL as 'N'.
std::string hash_part(const HashColumn& column,
                      const std::optional<std::string>& zero_date,
                      const convert::ReadDialect& dialect);
// One column's part of the row digest's text (convert::RowDigester::part_text in SQL).
std::string source_digest_part(const HashColumn& column, const convert::ReadDialect& dialect);
std::string source_digest_sql(const std::vector<HashColumn>& columns,
                              const std::string& fingerprint,
                              const convert::ReadDialect& dialect);
std::string chunk_id_sql(const ComparePlan& plan);
std::string chunk_condition_sql(const ChunkFilter& chunk);
std::string row_hash_sql(const ComparePlan& plan, const convert::ReadDialect& dialect);

// The query chunk_digests() runs, and what its rows hold after the id, count and XOR.
struct ChunkDigestQuery {
  std::string sql;
  std::size_t float_sums = 0; // one per float_value column, only without a digest column
  bool hash_sum = false;      // whole chunking
};
ChunkDigestQuery chunk_digests_sql(const std::string& table,
                                   const ComparePlan& plan,
                                   const convert::ReadDialect& dialect);
std::string row_digests_sql(const std::string& table,
                            const ChunkFilter& chunk,
                            const convert::ReadDialect& dialect);
// Each column as a read selects it, its part of the row digest, and the row digest.
std::string digest_samples_sql(const std::string& table,
                               const ChunkFilter& chunk,
                               std::size_t limit,
                               const convert::ReadDialect& dialect);

} // namespace migrate::source

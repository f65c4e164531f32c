// A row's seal computed by the client: the value PostgreSQL's hash_record_extended(ROW(<columns>),
// 0) gives for the row once stored, from the COPY binary fields the encoder wrote.
//
// PostgreSQL computing the seal itself (a generated column during a first load) costs it about a
// third of its CPU for the load; these hash functions are the ones hash partitioning routes rows
// with, so PostgreSQL keeps them stable across versions. Only types whose stored value is exactly
// the binary field sent are sealed here (no rounding, no encoding conversion, no collation):
// seal_kinds() says which, and the target adapter checks the catalog before it lets a load send
// the seals (target.hpp, prepare_first_load()).
#pragma once

#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/table_plan.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace migrate::convert {

// Which of PostgreSQL's hash functions hashes a column's stored value.
enum class SealKind {
  int2,    // hashint2extended
  int4,    // hashint4extended, and date (days since 2000)
  int8,    // hashint8extended, and timestamp, timestamptz (microseconds since 2000)
  boolean, // hashcharextended
  bytes,   // hashtextextended (deterministic collation), hashvarlenaextended (bytea)
  numeric, // hash_numeric_extended
  float4,  // hashfloat4extended
  float8,  // hashfloat8extended
  interval // interval_hash_extended
};

// PostgreSQL's hash_bytes_extended(k, len, 0) (Bob Jenkins' lookup3, little-endian).
std::uint64_t pg_hash_bytes(std::string_view bytes);
// PostgreSQL's hash_bytes_uint32_extended(k, 0).
std::uint64_t pg_hash_uint32(std::uint32_t value);

// The hash of one non-NULL value from its COPY binary field (the bytes after the length).
std::uint64_t seal_hash(SealKind kind, std::string_view field);

// hash_record_extended's fold: each column's hash, 0 for NULL, in column order.
inline std::uint64_t fold_seal(std::uint64_t seal, std::uint64_t column_hash) {
  return (seal << 5U) - seal + column_hash;
}

// Each column's seal kind when every column of the plan, written in binary as `types`, is stored
// exactly as sent; nullopt otherwise (jsonb, arrays, bit strings, or a timestamp the target column
// rounds to fewer fractional digits than the source has).
std::optional<std::vector<SealKind>> seal_kinds(const TablePlan& plan,
                                                const std::vector<BinaryType>& types);
// The same for the plan as binary_columns() writes it.
std::optional<std::vector<SealKind>> seal_kinds(const TablePlan& plan);

// The seal of one encoded binary row: `row` starts at its field count and holds one field per
// kind, then possibly more (the digest), which are not part of the seal.
std::int64_t seal_of_row(const std::vector<SealKind>& kinds, std::string_view row);

} // namespace migrate::convert

// Builds the comparison plan of a table: how each column is normalised for hashing and how rows
// are grouped into chunks.
#pragma once

#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/compare.hpp"

namespace migrate::convert {

HashKind hash_kind(const ColumnPlan& column);

// How MySQL prints the column's own value for the source digest.
SourceText source_text(const SourceColumn& column);

// The part of a PostgreSQL type that decides how a value is stored: "integer" for smallint,
// integer and bigint, "text" for text and varchar of any length, "numeric scale 2" for
// numeric(12,2); other types as they are. What mapping_fingerprint() takes of each type.
std::string value_class(const std::string& pg_type);

// A fingerprint of what the mapping does to values (types, transformations and their settings,
// zero dates, bad text): part of every row digest, so a changed mapping rewrites the rows once.
// Widening a column (value_class() unchanged) does not change it.
// Secrets (a mask's salt) go in only through the hash.
std::string mapping_fingerprint(const TablePlan& plan);

// The columns of the source digest: every mapped column, in plan order.
std::vector<HashColumn> digest_columns(const TablePlan& plan);

// Range chunks of about `chunk_rows` rows over an integer first key column; hash buckets otherwise;
// one whole-table chunk for a table synced by replacement (`range` is then not used).
ComparePlan compare_plan(const TablePlan& plan, const KeyRange& range, std::size_t chunk_rows);

} // namespace migrate::convert

// Builds the comparison plan of a table: how each column is normalised for hashing and how rows
// are grouped into chunks.
#pragma once

#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/compare.hpp"

namespace migrate::convert {

HashKind hash_kind(const ColumnPlan& column);

// How MySQL prints the column's own value for the source digest.
SourceText source_text(const SourceColumn& column);

// A fingerprint of what the mapping does to values (types, transformations and their settings,
// zero dates, bad text): part of every row digest, so a changed mapping rewrites the rows once.
// Secrets (a mask's salt) go in only through the hash.
std::string mapping_fingerprint(const TablePlan& plan);

// The columns of the source digest: every mapped column, in plan order.
std::vector<HashColumn> digest_columns(const TablePlan& plan);

// Range chunks of about `chunk_rows` rows over an integer first key column; hash buckets otherwise;
// one whole-table chunk for a table synced by replacement (`range` is then not used).
ComparePlan compare_plan(const TablePlan& plan, const KeyRange& range, std::size_t chunk_rows);

} // namespace migrate::convert

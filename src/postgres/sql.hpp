// The SQL PostgresTarget and its loads send, built from plain data: no connection, so each
// statement is tested as text (tests/unit/test_postgres_sql.cpp). The comparison half must print
// the same text for the same value as mysql/sql.hpp (docs/change-detection.md;
// tests/unit/test_comparison_sql.cpp). No libpqxx or libpq header here: the unit tests compile it
// without their include paths.
#pragma once

#include "migrate/core/compare.hpp"
#include "migrate/core/schema.hpp"
#include "migrate/target/target.hpp" // Reconcile

#include <cstddef>
#include <string>
#include <vector>

namespace migrate::target {

std::string quote_name(const std::string& name);
std::string quote_literal(const std::string& value);
std::string qualified(const TargetTable& table); // "schema"."name"
// The table's columns, quoted, each behind `prefix` ("t.").
std::string column_list(const TargetTable& table, const std::string& prefix = {});

// ---- comparison: must print exactly what mysql/sql.hpp prints for the same value ----

// The normalised text of one value, NULL when the value is NULL.
std::string hash_text(const HashColumn& column, const std::string& prefix = {});
// hash_text, hashed alone for the kinds that are (hashed_alone), NULL as 'N'.
std::string hash_part(const HashColumn& column, const std::string& prefix = {});
std::string chunk_id_sql(const ComparePlan& plan, const std::string& prefix = {});
std::string chunk_condition_sql(const ChunkFilter& chunk, const std::string& prefix);
bool has_extended_hash(const TargetColumn& column);
std::string seal_sql(const TargetTable& table, const std::string& prefix = {});
std::string row_hash_sql(const TargetTable& table, const ComparePlan& plan);

// The query chunk_digests() runs, and what its rows hold after the id, count and XOR.
struct ChunkDigestQuery {
  std::string sql;
  std::size_t float_sums = 0; // one per float_value column, only without a digest column
  bool hash_sum = false;      // whole chunking
};
ChunkDigestQuery chunk_digests_sql(const TargetTable& table, const ComparePlan& plan);
std::string row_digests_sql(const TargetTable& table, const ChunkFilter& chunk);
std::string count_rows_sql(const TargetTable& table);
std::string count_null_sql(const TargetTable& table, const std::string& column);

// ---- DDL ----

std::string create_sql(const TargetTable& table);
std::string keys_sql(const TargetTable& table, bool has_primary_key = false);
std::string index_sql(const TargetTable& table, const SourceIndex& index);
std::string index_name(const TargetTable& table, const SourceIndex& index);
// What create_table() and build_keys() run on a new table, together.
std::string create_table_sql(const TargetTable& table);
// build_keys(): the keys the table lacks, after turning a generated seal into a plain column.
std::string build_keys_sql(const TargetTable& table, bool has_primary_key, bool seal_generated);
// prepare_first_load(): the seal as a generated column (dropping the plain one when it exists).
std::string generated_seal_sql(const TargetTable& table, bool seal_column_exists);
// build_keys(), and prepare_first_load() when the client seals: the seal as a plain column, the
// values it holds kept.
std::string plain_seal_sql(const TargetTable& table);
std::string
change_sql(const TargetTable& table, const SchemaChange& change, const std::string& check_name);
// What alter_table() runs, each CHECK under the name PostgreSQL gives an inline one.
std::string alter_table_sql(const TargetTable& table, const std::vector<SchemaChange>& changes);
// The labels of a one-column CHECK as pg_get_constraintdef prints it.
std::vector<std::string> quoted_literals(const std::string& text);

// ---- load ----

std::string upsert_sql(const TargetTable& table, const std::string& staging, bool keep_edits);
std::string
reconcile_sql(const TargetTable& table, const std::string& staging, const Reconcile& reconcile);
std::string create_staging_sql(const TargetTable& table, const std::string& staging);
// `with_seal`: each row ends with its seal (a first load the client seals).
std::string copy_binary_sql(const TargetTable& table, const std::string& into, bool with_seal);
std::string replace_insert_sql(const TargetTable& table, const std::string& staging);

// ---- cutover ----

// The first `limit` rows that break `key`, each as "col=value,col2=value".
std::string orphan_keys_sql(const TargetForeignKey& key, std::size_t limit);

} // namespace migrate::target

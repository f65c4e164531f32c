#include "postgres/sql.hpp"

#include <string_view>

namespace migrate::target {
namespace {

std::string live_rows(const TargetTable& table) {
  return table.soft_delete_column.empty()
             ? std::string()
             : " WHERE " + quote_name(table.soft_delete_column) + " IS NULL";
}

bool is_key(const TargetTable& table, const std::string& name) {
  for (const auto& key : table.primary_key) {
    if (key == name) {
      return true;
    }
  }
  return false;
}

// SHA-256 in lower-case hex, as MySQL's SHA2(x, 256) prints it: of the UTF-8 text, or of the
// bytes of a bytea.
std::string sha256_hex(const std::string& value, bool bytes) {
  return "encode(sha256(" + (bytes ? value : "convert_to(" + value + ", 'UTF8')") + "), 'hex')";
}

// The plan's slice, continuing the WHERE clause live_rows() may have begun.
std::string slice_clause(const TargetTable& table, const ComparePlan& plan) {
  const auto slice = migrate::slice_sql(plan, quote_name(plan.key.target_name), chunk_id_sql(plan));
  return slice.empty() ? slice : (live_rows(table).empty() ? " WHERE " : " AND ") + slice;
}

} // namespace

std::string quote_name(const std::string& name) {
  return quote_identifier(name);
}

std::string quote_literal(const std::string& value) {
  std::string out = "'";
  for (const char c : value) {
    out += c;
    if (c == '\'') {
      out += '\'';
    }
  }
  return out + "'";
}

std::string qualified(const TargetTable& table) {
  return quote_name(table.schema) + "." + quote_name(table.name);
}

std::string column_list(const TargetTable& table, const std::string& prefix) {
  std::string out;
  for (const auto& column : table.columns) {
    out += (out.empty() ? "" : ", ") + prefix + quote_name(column.name);
  }
  return out;
}

// ---- comparison ----

// `prefix` qualifies the column ("t.") where the statement names the table twice.
std::string hash_text(const HashColumn& column, const std::string& prefix) {
  const auto c = prefix + quote_name(column.target_name);
  switch (column.kind) {
  case HashKind::integer:
  case HashKind::decimal:
  case HashKind::bits:
  case HashKind::text:
  case HashKind::geometry:
    return c + "::text";
  case HashKind::boolean:
    return "(" + c + "::int)::text";
  case HashKind::inet:
    return "host(" + c + ")"; // inet's text() adds /32 to a host; MySQL prints the bare address
  case HashKind::set:
    return "array_to_string(" + c + ", ',')";
  case HashKind::bytes:
    return c; // hashed as the bytes themselves (hash_part)
  case HashKind::date:
    return "to_char(" + c + ", 'YYYY-MM-DD')";
  case HashKind::datetime:
    return "to_char(" + c + ", 'YYYY-MM-DD HH24:MI:SS.US')";
  case HashKind::time:
    return "CAST(EXTRACT(EPOCH FROM " + c + ") AS numeric(20,6))::text";
  case HashKind::float_value:
  case HashKind::presence:
    return "CASE WHEN " + c + " IS NULL THEN NULL ELSE 'v' END";
  }
  return c;
}

std::string hash_part(const HashColumn& column, const std::string& prefix) {
  const auto text = hash_text(column, prefix);
  if (!hashed_alone(column.kind)) {
    return "COALESCE(" + text + ", 'N')";
  }
  return "COALESCE(" + sha256_hex(text, column.kind == HashKind::bytes) + ", 'N')";
}

std::string chunk_id_sql(const ComparePlan& plan, const std::string& prefix) {
  const auto& n = plan.chunking.width_or_buckets;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "0";
  }
  if (plan.chunking.kind == Chunking::Kind::range) {
    return "div(" + prefix + quote_name(plan.key.target_name) + "::numeric, " + n + ")";
  }
  std::string key;
  for (const auto& column : plan.key_columns) {
    key += (key.empty() ? "" : " || ") + hash_part(column, prefix);
  }
  return "(('x' || lpad(substr(" + sha256_hex(key, false) + ", 1, 8), 16, '0'))::bit(64)::bigint % "
         + n + ")";
}

std::string chunk_condition_sql(const ChunkFilter& chunk, const std::string& prefix) {
  const auto& plan = *chunk.plan;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return "TRUE";
  }
  if (plan.chunking.kind == Chunking::Kind::hash) {
    return chunk_id_sql(plan, prefix) + " = " + chunk.id;
  }
  const auto bounds = range_bounds(chunk.id, plan.chunking.width_or_buckets);
  const auto key = prefix + quote_name(plan.key.target_name);
  return "(" + key + (bounds.low_inclusive ? " >= " : " > ") + bounds.low + " AND " + key
         + (bounds.high_inclusive ? " <= " : " < ") + bounds.high + ")";
}

// True for the types whose values hash_record_extended() can hash (those with a hash operator
// class); the others (json, bit, bit varying, anything unknown) are hashed as their text.
bool has_extended_hash(const TargetColumn& column) {
  if (column.enum_type) {
    return true;
  }
  static const char* const k_hashable[] = {"bigint",
                                           "integer",
                                           "smallint",
                                           "numeric",
                                           "boolean",
                                           "text",
                                           "varchar",
                                           "character",
                                           "char",
                                           "bytea",
                                           "date",
                                           "timestamp",
                                           "time",
                                           "interval",
                                           "jsonb",
                                           "inet",
                                           "uuid",
                                           "double precision",
                                           "real"};
  for (const char* type : k_hashable) {
    const std::string_view name(type);
    if (column.pg_type.compare(0, name.size(), name) == 0
        && (column.pg_type.size() == name.size() || column.pg_type[name.size()] == '('
            || column.pg_type[name.size()] == ' ' || column.pg_type[name.size()] == '[')) {
      return true;
    }
  }
  return false;
}

// The row's seal: PostgreSQL's own 64-bit hash of the row's target values, each hashed by its
// type's hash function (equal values hash equal: a wider varchar, an int widened to bigint or a
// numeric of higher precision keep the seal). `prefix` qualifies the columns ("t.").
std::string seal_sql(const TargetTable& table, const std::string& prefix) {
  std::string values;
  for (const auto& column : table.columns) {
    if (is_tool_column(column.name)) {
      continue;
    }
    const auto c = prefix + quote_name(column.name);
    values += (values.empty() ? "" : ", ") + (has_extended_hash(column) ? c : c + "::text");
  }
  return "hash_record_extended(ROW(" + values + "), 0)";
}

// One row's 64 bits, as chunk_digests() folds them and row_digests() lists them: the digest
// stored with the row while its seal holds (NULL otherwise: a row changed or inserted by
// something else, or written before seals existed), or the first 64 bits of the SHA-256 of its
// normalised values.
std::string row_hash_sql(const TargetTable& table, const ComparePlan& plan) {
  if (!plan.digest_column.empty()) {
    return "CASE WHEN " + quote_name(k_seal_column) + " = " + seal_sql(table) + " THEN "
           + quote_name(plan.digest_column) + " END";
  }
  std::vector<std::string> parts;
  for (const auto& column : plan.columns) {
    parts.push_back(hash_part(column));
  }
  return "('x' || substr(" + sha256_hex(joined_row_sql(parts), false)
         + ", 1, 16))::bit(64)::bigint";
}

ChunkDigestQuery chunk_digests_sql(const TargetTable& table, const ComparePlan& plan) {
  std::string floats;
  std::string float_columns;
  std::size_t float_count = 0;
  for (const auto& column : plan.columns) {
    if (column.kind == HashKind::float_value && plan.digest_column.empty()) {
      const auto name = quote_name(column.target_name);
      floats += ", COALESCE(sum(" + name + "::float8), 0)";
      float_columns += ", " + name;
      ++float_count;
    }
  }
  const auto h = row_hash_sql(table, plan);
  // h is the signed reading of the 64 bits MySQL sums unsigned.
  const bool whole = plan.chunking.kind == Chunking::Kind::whole;
  const std::string sum =
      whole ? ", COALESCE(sum(CASE WHEN h < 0 THEN h::numeric + 18446744073709551616 ELSE "
              "h::numeric END), 0)::text"
            : "";
  const std::string sql = "SELECT chunk_id::text, count(*), bit_xor(h)" + floats + sum
                          + ", count(*) FILTER (WHERE h IS NULL) FROM (SELECT " + chunk_id_sql(plan)
                          + " AS chunk_id, " + h + " AS h" + float_columns + " FROM "
                          + qualified(table) + live_rows(table) + slice_clause(table, plan)
                          + ") AS rows_hashed GROUP BY chunk_id";
  return {sql, float_count, whole};
}

std::string row_digests_sql(const TargetTable& table, const ChunkFilter& chunk) {
  const auto& plan = *chunk.plan;
  std::string sql =
      "SELECT " + row_hash_sql(table, plan) + ", "
      + (plan.digest_column.empty() ? "TRUE" : quote_name(plan.digest_column) + " IS NOT NULL");
  for (const auto& key : plan.key_columns) {
    sql += ", " + hash_text(key);
  }
  const auto live = live_rows(table);
  sql += " FROM " + qualified(table) + (live.empty() ? " WHERE " : live + " AND ")
         + chunk_condition_sql(chunk, "");
  return sql;
}

std::string count_rows_sql(const TargetTable& table) {
  return "SELECT count(*) FROM " + qualified(table) + live_rows(table);
}

std::string count_null_sql(const TargetTable& table, const std::string& column) {
  const auto live = live_rows(table);
  return "SELECT count(*) FROM " + qualified(table) + (live.empty() ? " WHERE " : live + " AND ")
         + quote_name(column) + " IS NULL";
}

// ---- DDL ----

std::string create_sql(const TargetTable& table) {
  std::string sql;
  for (const auto& column : table.columns) {
    if (column.enum_type) {
      std::string labels;
      for (const auto& value : column.allowed_values) {
        labels += (labels.empty() ? "" : ", ") + quote_literal(value);
      }
      sql += "CREATE TYPE " + column.pg_type + " AS ENUM (" + labels + ");\n";
    }
  }
  sql += "CREATE TABLE " + qualified(table) + " (\n";
  for (const auto& column : table.columns) {
    sql += "  " + quote_name(column.name) + " " + column.pg_type;
    if (column.not_null) {
      sql += " NOT NULL";
    }
    if (!column.allowed_values.empty() && !column.enum_type) {
      std::string values;
      for (const auto& value : column.allowed_values) {
        values += (values.empty() ? "" : ", ") + quote_literal(value);
      }
      sql += " CHECK (" + quote_name(column.name) + " IN (" + values + "))";
    }
    sql += ",\n";
  }
  if (!table.soft_delete_column.empty()) {
    sql += "  " + quote_name(table.soft_delete_column) + " timestamp with time zone,\n";
  }
  // A first load copies rows straight in: PostgreSQL seals each as it arrives (at no measurable
  // cost to the COPY), and build_keys() makes the seal a plain column before anything else
  // writes. A table without a key is only ever replaced, which seals in its INSERT.
  sql += "  " + quote_name(k_seal_column) + " bigint";
  if (!table.primary_key.empty()) {
    sql += " GENERATED ALWAYS AS (" + seal_sql(table) + ") STORED";
  }
  sql += ",\n";
  sql.resize(sql.size() - 2); // the last ",\n"
  return sql + "\n)";
}

std::string keys_sql(const TargetTable& table, bool has_primary_key) {
  std::string keys;
  for (const auto& key : table.primary_key) {
    keys += (keys.empty() ? "" : ", ") + quote_name(key);
  }
  std::string sql;
  if (!has_primary_key && !table.primary_key.empty()) {
    sql += "ALTER TABLE " + qualified(table) + " ADD PRIMARY KEY (" + keys + ")";
  }
  for (const auto& index : table.indexes) {
    sql += std::string(sql.empty() ? "" : ";\n") + index_sql(table, index);
  }
  return sql;
}

// Secondary indexes are never unique during the sync, even where MySQL's are: MySQL applies a
// swap of two values in one transaction, and a batch that merges one row before the other, or a
// soft-deleted row beside its re-inserted twin, would violate the constraint on every run.
// Uniqueness is MySQL's to enforce until the cutover.
std::string index_sql(const TargetTable& table, const SourceIndex& index) {
  std::string columns;
  for (const auto& column : index.columns) {
    columns += (columns.empty() ? "" : ", ") + quote_name(column);
  }
  return "CREATE INDEX IF NOT EXISTS " + quote_name(index_name(table, index)) + " ON "
         + qualified(table) + " (" + columns + ")";
}

std::string index_name(const TargetTable& table, const SourceIndex& index) {
  return fit_identifier(table.name + "_" + index.name);
}

std::string create_table_sql(const TargetTable& table) {
  const auto keys = keys_sql(table);
  return create_sql(table) + (keys.empty() ? "" : ";\n" + keys);
}

std::string build_keys_sql(const TargetTable& table, bool has_primary_key, bool seal_generated) {
  auto sql = keys_sql(table, has_primary_key);
  if (seal_generated) {
    // The first load is over: from now on the merge writes each row's seal, and a change
    // made by anything else leaves the seal as it was.
    sql = plain_seal_sql(table) + (sql.empty() ? "" : ";\n" + sql);
  }
  return sql;
}

std::string plain_seal_sql(const TargetTable& table) {
  return "ALTER TABLE " + qualified(table) + " ALTER COLUMN " + quote_name(k_seal_column)
         + " DROP EXPRESSION";
}

std::string generated_seal_sql(const TargetTable& table, bool seal_column_exists) {
  const auto seal = quote_name(k_seal_column);
  return "ALTER TABLE " + qualified(table)
         + (seal_column_exists ? " DROP COLUMN " + seal + "," : "") + " ADD COLUMN " + seal
         + " bigint GENERATED ALWAYS AS (" + seal_sql(table) + ") STORED";
}

// `check_name`: the constraint holding the column's labels (PostgreSQL names an inline CHECK
// <table>_<column>_check).
std::string
change_sql(const TargetTable& table, const SchemaChange& change, const std::string& check_name) {
  const auto& column = change.column;
  const auto alter = "ALTER TABLE " + qualified(table) + " ";
  switch (change.kind) {
  case SchemaChange::Kind::add_column:
    // Nullable even where MySQL has NOT NULL: the existing rows get their values from the
    // re-read that follows.
    return alter + "ADD COLUMN IF NOT EXISTS " + quote_name(column.name) + " " + column.pg_type;
  case SchemaChange::Kind::widen_type:
    return alter + "ALTER COLUMN " + quote_name(column.name) + " TYPE " + column.pg_type;
  case SchemaChange::Kind::add_enum_label:
    if (column.enum_type) {
      // PostgreSQL 12+ takes ADD VALUE in a transaction; the label is usable once it commits.
      return "ALTER TYPE " + column.pg_type + " ADD VALUE IF NOT EXISTS "
             + quote_literal(change.label);
    }
    std::string values;
    for (const auto& value : column.allowed_values) {
      values += (values.empty() ? "" : ", ") + quote_literal(value);
    }
    return alter + "DROP CONSTRAINT " + quote_name(check_name) + ", ADD CONSTRAINT "
           + quote_name(check_name) + " CHECK (" + quote_name(column.name) + " IN (" + values
           + "))";
  }
  return {};
}

std::string alter_table_sql(const TargetTable& table, const std::vector<SchemaChange>& changes) {
  std::string sql;
  for (const auto& change : changes) {
    sql += change_sql(table, change, table.name + "_" + change.column.name + "_check") + ";\n";
  }
  return sql;
}

std::vector<std::string> quoted_literals(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\'') {
      continue;
    }
    std::string value;
    for (++i; i < text.size(); ++i) {
      if (text[i] == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        value += '\'';
        ++i;
      } else if (text[i] == '\'') {
        break;
      } else {
        value += text[i];
      }
    }
    out.push_back(value);
  }
  return out;
}

// ---- load ----

std::string upsert_sql(const TargetTable& table, const std::string& staging, bool keep_edits) {
  std::string keys;
  for (const auto& key : table.primary_key) {
    keys += (keys.empty() ? "" : ", ") + quote_name(key);
  }
  std::string set;
  std::string current;
  std::string incoming;
  for (const auto& column : table.columns) {
    if (is_key(table, column.name)) {
      continue;
    }
    const auto name = quote_name(column.name);
    set += (set.empty() ? "" : ", ") + name + " = EXCLUDED." + name;
    current += (current.empty() ? "" : ", ") + std::string("t.") + name;
    incoming += (incoming.empty() ? "" : ", ") + std::string("EXCLUDED.") + name;
  }
  // The seal is written with the row, so a row whose seal no longer matches is written again.
  const auto seal = quote_name(k_seal_column);
  set += (set.empty() ? "" : ", ") + seal + " = EXCLUDED." + seal;
  current += (current.empty() ? "" : ", ") + std::string("t.") + seal;
  incoming += (incoming.empty() ? "" : ", ") + std::string("EXCLUDED.") + seal;
  std::string changed = "ROW(" + current + ") IS DISTINCT FROM ROW(" + incoming + ")";
  if (!table.soft_delete_column.empty()) {
    // A row back in the source is no longer deleted.
    const auto soft = quote_name(table.soft_delete_column);
    set += (set.empty() ? "" : ", ") + soft + " = NULL";
    changed = "(" + changed + " OR t." + soft + " IS NOT NULL)";
  }
  if (keep_edits) {
    changed += " AND t." + seal + " IS NOT DISTINCT FROM " + seal_sql(table, "t.");
  }
  // Rows equal to the target's are not written: no dead tuple, no WAL, counted as unchanged.
  const auto conflict = " ON CONFLICT (" + keys + ") DO UPDATE SET " + set + " WHERE " + changed;
  return "WITH merged AS (INSERT INTO " + qualified(table) + " AS t (" + column_list(table) + ", "
         + seal + ") SELECT " + column_list(table) + ", " + seal_sql(table) + " FROM " + staging
         + conflict
         + " RETURNING (xmax = 0) AS inserted) "
           "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM "
           "merged";
}

std::string
reconcile_sql(const TargetTable& table, const std::string& staging, const Reconcile& reconcile) {
  std::string match;
  for (const auto& key : table.primary_key) {
    match += (match.empty() ? "" : " AND ") + std::string("s.") + quote_name(key) + " = t."
             + quote_name(key);
  }
  const auto missing = chunk_condition_sql(reconcile.chunk, "t.")
                       + " AND NOT EXISTS (SELECT 1 FROM " + staging + " s WHERE " + match + ")";
  if (reconcile.soft) {
    const auto soft = quote_name(table.soft_delete_column);
    return "UPDATE " + qualified(table) + " AS t SET " + soft + " = now() WHERE " + soft
           + " IS NULL AND " + missing;
  }
  return "DELETE FROM " + qualified(table) + " AS t WHERE " + missing;
}

std::string create_staging_sql(const TargetTable& table, const std::string& staging) {
  return "CREATE TEMP TABLE " + staging + " (LIKE " + qualified(table)
         + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";
}

std::string copy_binary_sql(const TargetTable& table, const std::string& into, bool with_seal) {
  return "COPY " + into + " (" + column_list(table)
         + (with_seal ? ", " + quote_name(k_seal_column) : std::string()) + ") FROM STDIN WITH "
         + "(FORMAT binary)";
}

std::string replace_insert_sql(const TargetTable& table, const std::string& staging) {
  return "INSERT INTO " + qualified(table) + " (" + column_list(table) + ", "
         + quote_name(k_seal_column) + ") SELECT " + column_list(table) + ", " + seal_sql(table)
         + " FROM " + staging;
}

// ---- cutover ----

std::string orphan_keys_sql(const TargetForeignKey& key, std::size_t limit) {
  std::string select;
  std::string set;
  std::string match;
  for (std::size_t i = 0; i < key.columns.size(); ++i) {
    const auto column = "c." + quote_name(key.columns[i]);
    select += std::string(i == 0 ? "" : " || ',' || ") + quote_literal(key.columns[i] + "=")
              + " || " + column + "::text";
    set += std::string(i == 0 ? "" : " AND ") + column + " IS NOT NULL";
    match += std::string(i == 0 ? "" : " AND ") + "p." + quote_name(key.referenced_columns[i])
             + " = " + column;
  }
  return "SELECT " + select + " FROM " + quote_name(key.schema) + "." + quote_name(key.table)
         + " c WHERE " + set + " AND NOT EXISTS (SELECT 1 FROM " + quote_name(key.referenced_schema)
         + "." + quote_name(key.referenced_table) + " p WHERE " + match + ") LIMIT "
         + std::to_string(limit);
}

} // namespace migrate::target

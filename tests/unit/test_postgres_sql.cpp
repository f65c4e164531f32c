// The SQL PostgresTarget sends, as text: DDL, the load's merge and reconcile, the comparison and
// the cutover's checks. A change to a statement shows here as a diff a reviewer reads.
#include "postgres/sql.hpp"
#include "sql_fixtures.hpp"

#include <gtest/gtest.h>

namespace migrate::target {
namespace {

using sql_fixtures::col;
using sql_fixtures::orders;
using sql_fixtures::plan_hash;
using sql_fixtures::plan_range;
using sql_fixtures::plan_whole;

const std::string k_seal = "hash_record_extended(ROW(\"id\", \"name\", \"status\"), 0)";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PostgresSql, CreateTableHasColumnsChecksSealKeysAndIndexes) {
  EXPECT_EQ(create_table_sql(orders()),
            "CREATE TABLE \"app\".\"orders\" (\n"
            "  \"id\" bigint NOT NULL,\n"
            "  \"name\" varchar(20),\n"
            "  \"status\" text CHECK (\"status\" IN ('new', 'it''s')),\n"
            "  \"_migrate_seal\" bigint GENERATED ALWAYS AS ("
                + k_seal
                + ") STORED\n"
                  ");\n"
                  "ALTER TABLE \"app\".\"orders\" ADD PRIMARY KEY (\"id\");\n"
                  "CREATE INDEX IF NOT EXISTS \"orders_idx_name\" ON \"app\".\"orders\" "
                  "(\"name\")");
}

TEST(PostgresSql, AnEnumColumnGetsItsTypeInsteadOfACheck) {
  auto table = orders();
  table.columns.push_back({"mood", "app_orders_mood", false, {"a", "b"}, true});
  const auto sql = create_sql(table);
  EXPECT_EQ(sql.rfind("CREATE TYPE app_orders_mood AS ENUM ('a', 'b');\nCREATE TABLE", 0), 0U)
      << sql;
  EXPECT_TRUE(contains(sql, "  \"mood\" app_orders_mood,\n")) << sql;
}

TEST(PostgresSql, AKeylessTableHasAPlainSealAndSoftDeletesAColumn) {
  auto table = orders();
  table.primary_key.clear();
  table.soft_delete_column = "deleted_at";
  const auto sql = create_sql(table);
  EXPECT_TRUE(sql.ends_with("  \"_migrate_seal\" bigint\n)")) << sql;
  EXPECT_TRUE(contains(sql, "  \"deleted_at\" timestamp with time zone,\n")) << sql;
}

TEST(PostgresSql, IndexNamesFitPostgresIdentifiers) {
  auto table = orders();
  table.name = std::string(40, 't');
  EXPECT_LE(index_name(table, SourceIndex{std::string(30, 'i'), false, {"name"}}).size(), 63U);
}

TEST(PostgresSql, BuildKeysDropsTheSealExpressionFirst) {
  EXPECT_EQ(build_keys_sql(orders(), true, true),
            "ALTER TABLE \"app\".\"orders\" ALTER COLUMN \"_migrate_seal\" DROP EXPRESSION;\n"
            "CREATE INDEX IF NOT EXISTS \"orders_idx_name\" ON \"app\".\"orders\" (\"name\")");
  EXPECT_EQ(build_keys_sql(orders(), false, false)
                .rfind("ALTER TABLE \"app\".\"orders\" ADD PRIMARY KEY (\"id\");\n", 0),
            0U);
  auto bare = orders();
  bare.indexes.clear();
  EXPECT_EQ(build_keys_sql(bare, true, false), "");
}

TEST(PostgresSql, AGeneratedSealReplacesAPlainOne) {
  const auto added =
      " ADD COLUMN \"_migrate_seal\" bigint GENERATED ALWAYS AS (" + k_seal + ") STORED";
  EXPECT_EQ(generated_seal_sql(orders(), true),
            "ALTER TABLE \"app\".\"orders\" DROP COLUMN \"_migrate_seal\"," + added);
  EXPECT_EQ(generated_seal_sql(orders(), false), "ALTER TABLE \"app\".\"orders\"" + added);
}

TEST(PostgresSql, ExtendedHashTypes) {
  for (const char* type : {"bigint",
                           "varchar(20)",
                           "character varying(10)",
                           "timestamp with time zone",
                           "integer[]",
                           "jsonb",
                           "numeric(12,2)"}) {
    EXPECT_TRUE(has_extended_hash(TargetColumn{"c", type, false, {}, false})) << type;
  }
  EXPECT_TRUE(has_extended_hash(TargetColumn{"c", "app_t_c", false, {"a"}, true}));
  for (const char* type : {"json", "bit(3)", "bit varying", "money"}) {
    EXPECT_FALSE(has_extended_hash(TargetColumn{"c", type, false, {}, false})) << type;
  }
}

TEST(PostgresSql, TheSealHashesTypesWithoutAHashAsText) {
  TargetTable table{"app", "docs", {}, {"id"}};
  table.columns = {{"id", "bigint", true, {}, false},
                   {"doc", "json", false, {}, false},
                   {"_migrate_digest", "bigint", false, {}, false}};
  EXPECT_EQ(seal_sql(table), "hash_record_extended(ROW(\"id\", \"doc\"::text), 0)");
  EXPECT_EQ(seal_sql(table, "t."), "hash_record_extended(ROW(t.\"id\", t.\"doc\"::text), 0)");
}

TEST(PostgresSql, MergeWritesOnlyChangedRows) {
  EXPECT_EQ(
      upsert_sql(orders(), "migrate_stage_1", false),
      "WITH merged AS (INSERT INTO \"app\".\"orders\" AS t (\"id\", \"name\", \"status\", "
      "\"_migrate_seal\") SELECT \"id\", \"name\", \"status\", "
          + k_seal
          + " FROM migrate_stage_1 ON CONFLICT (\"id\") DO UPDATE SET \"name\" = "
            "EXCLUDED.\"name\", "
            "\"status\" = EXCLUDED.\"status\", \"_migrate_seal\" = EXCLUDED.\"_migrate_seal\" "
            "WHERE "
            "ROW(t.\"name\", t.\"status\", t.\"_migrate_seal\") IS DISTINCT FROM "
            "ROW(EXCLUDED.\"name\", EXCLUDED.\"status\", EXCLUDED.\"_migrate_seal\") RETURNING "
            "(xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted), count(*) FILTER "
            "(WHERE NOT inserted) FROM merged");
}

TEST(PostgresSql, AMergeKeepingEditsSkipsRowsWhoseSealBroke) {
  EXPECT_TRUE(contains(upsert_sql(orders(), "s1", true),
                       " AND t.\"_migrate_seal\" IS NOT DISTINCT FROM "
                       "hash_record_extended(ROW(t.\"id\", t.\"name\", t.\"status\"), 0) "
                       "RETURNING"));
}

TEST(PostgresSql, AMergeUndeletesRowsBackInTheSource) {
  auto table = orders();
  table.soft_delete_column = "deleted_at";
  const auto sql = upsert_sql(table, "s1", false);
  EXPECT_TRUE(contains(sql, ", \"deleted_at\" = NULL WHERE (ROW(")) << sql;
  EXPECT_TRUE(contains(sql, "\"_migrate_seal\") OR t.\"deleted_at\" IS NOT NULL) RETURNING"))
      << sql;
}

TEST(PostgresSql, ReconcileDeletesOrMarksTheChunksMissingRows) {
  const auto plan = plan_range(col("id", HashKind::integer), "1000");
  const Reconcile hard{ChunkFilter{&plan, "2"}, false};
  EXPECT_EQ(reconcile_sql(orders(), "s1", hard),
            "DELETE FROM \"app\".\"orders\" AS t WHERE (t.\"id\" >= 2000 AND t.\"id\" < 3000) "
            "AND NOT EXISTS (SELECT 1 FROM s1 s WHERE s.\"id\" = t.\"id\")");
  auto table = orders();
  table.soft_delete_column = "deleted_at";
  const Reconcile soft{ChunkFilter{&plan, "2"}, true};
  EXPECT_EQ(reconcile_sql(table, "s1", soft),
            "UPDATE \"app\".\"orders\" AS t SET \"deleted_at\" = now() WHERE \"deleted_at\" IS "
            "NULL AND (t.\"id\" >= 2000 AND t.\"id\" < 3000) AND NOT EXISTS (SELECT 1 FROM s1 s "
            "WHERE s.\"id\" = t.\"id\")");
}

TEST(PostgresSql, StagingCopyAndReplacement) {
  EXPECT_EQ(create_staging_sql(orders(), "migrate_stage_1"),
            "CREATE TEMP TABLE migrate_stage_1 (LIKE \"app\".\"orders\" INCLUDING DEFAULTS) ON "
            "COMMIT DELETE ROWS");
  EXPECT_EQ(copy_binary_sql(orders(), qualified(orders()), false),
            "COPY \"app\".\"orders\" (\"id\", \"name\", \"status\") FROM STDIN WITH (FORMAT "
            "binary)");
  EXPECT_EQ(copy_binary_sql(orders(), qualified(orders()), true),
            "COPY \"app\".\"orders\" (\"id\", \"name\", \"status\", \"_migrate_seal\") FROM "
            "STDIN WITH (FORMAT binary)");
  EXPECT_EQ(plain_seal_sql(orders()),
            "ALTER TABLE \"app\".\"orders\" ALTER COLUMN \"_migrate_seal\" DROP EXPRESSION");
  EXPECT_EQ(replace_insert_sql(orders(), "migrate_stage_1"),
            "INSERT INTO \"app\".\"orders\" (\"id\", \"name\", \"status\", \"_migrate_seal\") "
            "SELECT \"id\", \"name\", \"status\", "
                + k_seal + " FROM migrate_stage_1");
}

TEST(PostgresSql, SchemaChanges) {
  const auto table = orders();
  SchemaChange add{SchemaChange::Kind::add_column, {"note", "text", true, {}, false}};
  SchemaChange widen{SchemaChange::Kind::widen_type, {"name", "varchar(40)", false, {}, false}};
  SchemaChange label{SchemaChange::Kind::add_enum_label,
                     {"mood", "app_orders_mood", false, {"a", "c"}, true}};
  label.label = "c";
  SchemaChange check{SchemaChange::Kind::add_enum_label,
                     {"status", "text", false, {"new", "it's", "done"}, false}};
  check.label = "done";
  EXPECT_EQ(change_sql(table, add, ""),
            "ALTER TABLE \"app\".\"orders\" ADD COLUMN IF NOT EXISTS \"note\" text");
  EXPECT_EQ(change_sql(table, widen, ""),
            "ALTER TABLE \"app\".\"orders\" ALTER COLUMN \"name\" TYPE varchar(40)");
  EXPECT_EQ(change_sql(table, label, ""), "ALTER TYPE app_orders_mood ADD VALUE IF NOT EXISTS 'c'");
  const std::string rebuilt =
      "ALTER TABLE \"app\".\"orders\" DROP CONSTRAINT \"orders_status_check\", ADD CONSTRAINT "
      "\"orders_status_check\" CHECK (\"status\" IN ('new', 'it''s', 'done'))";
  EXPECT_EQ(change_sql(table, check, "orders_status_check"), rebuilt);
  EXPECT_EQ(alter_table_sql(table, {add, check}),
            "ALTER TABLE \"app\".\"orders\" ADD COLUMN IF NOT EXISTS \"note\" text;\n" + rebuilt
                + ";\n");
}

TEST(PostgresSql, CheckLabelsAsPgGetConstraintdefPrintsThem) {
  EXPECT_EQ(quoted_literals("CHECK ((status = ANY (ARRAY['new'::text, 'it''s'::text])))"),
            (std::vector<std::string>{"new", "it's"}));
}

TEST(PostgresSql, ARowWithADigestColumnHashesAsItsDigestWhileItsSealHolds) {
  auto plan = plan_range(col("id", HashKind::integer), "1000");
  plan.digest_column = "_migrate_digest";
  EXPECT_EQ(row_hash_sql(orders(), plan),
            "CASE WHEN \"_migrate_seal\" = " + k_seal + " THEN \"_migrate_digest\" END");
}

// The row hash of plan {id integer, price float_value}.
const std::string k_row_hash = "('x' || substr(encode(sha256(convert_to(concat_ws('|', "
                               "COALESCE(\"id\"::text, 'N'), COALESCE(CASE WHEN \"price\" IS NULL "
                               "THEN NULL ELSE 'v' END, 'N')), 'UTF8')), 'hex'), 1, 16))::bit(64)"
                               "::bigint";

ComparePlan plan_with_float() {
  auto plan = plan_range(col("id", HashKind::integer), "1000");
  plan.columns.push_back(col("price", HashKind::float_value));
  return plan;
}

TEST(PostgresSql, ChunkDigestsSumFloatsApart) {
  const auto query = chunk_digests_sql(orders(), plan_with_float());
  EXPECT_EQ(query.sql,
            "SELECT chunk_id::text, count(*), bit_xor(h), COALESCE(sum(\"price\"::float8), 0), "
            "count(*) FILTER (WHERE h IS NULL) FROM (SELECT div(\"id\"::numeric, 1000) AS "
            "chunk_id, "
                + k_row_hash
                + " AS h, \"price\" FROM \"app\".\"orders\") AS rows_hashed GROUP BY chunk_id");
  EXPECT_EQ(query.float_sums, 1U);
  EXPECT_FALSE(query.hash_sum);
}

TEST(PostgresSql, AWholeTableSumsItsRowsUnsigned) {
  const auto query = chunk_digests_sql(orders(), plan_whole());
  EXPECT_TRUE(contains(query.sql,
                       ", COALESCE(sum(CASE WHEN h < 0 THEN h::numeric + 18446744073709551616 "
                       "ELSE h::numeric END), 0)::text"))
      << query.sql;
  EXPECT_TRUE(contains(query.sql, "(SELECT 0 AS chunk_id, ")) << query.sql;
  EXPECT_TRUE(query.hash_sum);
}

TEST(PostgresSql, ASliceOfHashBucketsContinuesTheLiveRowsCondition) {
  auto plan = plan_hash({col("code", HashKind::text)}, "16");
  plan.slices = 4;
  plan.slice = 1;
  const auto plain = chunk_digests_sql(orders(), plan).sql;
  EXPECT_TRUE(contains(plain, " FROM \"app\".\"orders\" WHERE MOD(")) << plain;
  EXPECT_TRUE(contains(plain, ", 4) = 1) AS rows_hashed")) << plain;
  auto table = orders();
  table.soft_delete_column = "deleted_at";
  const auto soft = chunk_digests_sql(table, plan).sql;
  EXPECT_TRUE(contains(soft, " FROM \"app\".\"orders\" WHERE \"deleted_at\" IS NULL AND MOD("))
      << soft;
}

TEST(PostgresSql, RowDigestsListTheChunksRowsWithTheirKeys) {
  auto plan = plan_range(col("id", HashKind::integer), "1000");
  const ChunkFilter chunk{&plan, "2"};
  EXPECT_EQ(row_digests_sql(orders(), chunk),
            "SELECT " + row_hash_sql(orders(), plan)
                + ", TRUE, \"id\"::text FROM \"app\".\"orders\" WHERE (\"id\" >= 2000 AND \"id\" "
                  "< 3000)");
  plan.digest_column = "_migrate_digest";
  EXPECT_TRUE(contains(row_digests_sql(orders(), chunk), ", \"_migrate_digest\" IS NOT NULL, "));
  auto table = orders();
  table.soft_delete_column = "deleted_at";
  EXPECT_TRUE(
      contains(row_digests_sql(table, chunk), " WHERE \"deleted_at\" IS NULL AND (\"id\" >= "));
  const auto whole = plan_whole();
  EXPECT_TRUE(row_digests_sql(orders(), ChunkFilter{&whole, "0"}).ends_with(" WHERE TRUE"));
}

TEST(PostgresSql, CountsLeaveSoftDeletedRowsOut) {
  auto table = orders();
  EXPECT_EQ(count_rows_sql(table), "SELECT count(*) FROM \"app\".\"orders\"");
  EXPECT_EQ(count_null_sql(table, "name"),
            "SELECT count(*) FROM \"app\".\"orders\" WHERE \"name\" IS NULL");
  table.soft_delete_column = "deleted_at";
  EXPECT_EQ(count_rows_sql(table),
            "SELECT count(*) FROM \"app\".\"orders\" WHERE \"deleted_at\" IS NULL");
  EXPECT_EQ(count_null_sql(table, "name"),
            "SELECT count(*) FROM \"app\".\"orders\" WHERE \"deleted_at\" IS NULL AND \"name\" IS "
            "NULL");
}

TEST(PostgresSql, OrphanKeysNameEachColumnOfTheKey) {
  TargetForeignKey key;
  key.schema = "app";
  key.table = "orders";
  key.columns = {"customer_id", "region"};
  key.referenced_schema = "app";
  key.referenced_table = "customers";
  key.referenced_columns = {"id", "region"};
  EXPECT_EQ(orphan_keys_sql(key, 10),
            "SELECT 'customer_id=' || c.\"customer_id\"::text || ',' || 'region=' || "
            "c.\"region\"::text FROM \"app\".\"orders\" c WHERE c.\"customer_id\" IS NOT NULL AND "
            "c.\"region\" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \"app\".\"customers\" p WHERE "
            "p.\"id\" = c.\"customer_id\" AND p.\"region\" = c.\"region\") LIMIT 10");
}

} // namespace
} // namespace migrate::target

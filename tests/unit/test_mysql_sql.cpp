// The SQL MysqlSource sends that has logic in it, as text: reads (cursors, chunks, filters), the
// literals of user values, and the comparison's digests. A change to a statement shows here as a
// diff a reviewer reads.
#include "mysql/sql.hpp"
#include "sql_fixtures.hpp"

#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

namespace migrate::source {
namespace {

using sql_fixtures::col;
using sql_fixtures::plan_hash;
using sql_fixtures::plan_range;
using sql_fixtures::plan_whole;

// Where the connection's literal goes: the tests see it without a connection.
std::string angle(const std::string& value) {
  return "<" + value + ">";
}

SourceColumn column(const std::string& name, const std::string& data_type) {
  SourceColumn out;
  out.name = name;
  out.data_type = data_type;
  out.column_type = data_type;
  return out;
}

// orders(id int, name varchar), read by key after id 42.
ReadRequest orders_after_42() {
  ReadRequest request;
  request.table = "orders";
  request.columns = {column("id", "int"), column("name", "varchar")};
  request.key = {column("id", "int")};
  request.after_key = {"42"};
  return request;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MysqlSql, AReadByKeyComparesNumbersUnquoted) {
  EXPECT_EQ(build_read_sql(orders_after_42(), {}, angle),
            "SELECT `id`, `name` FROM `orders` WHERE ((`id` > 42)) ORDER BY `id`");
}

TEST(MysqlSql, ACompositeKeyCursorIsALexicographicTuple) {
  auto request = orders_after_42();
  request.key = {column("a", "int"), column("b", "varchar")};
  request.after_key = {"1", "x"};
  const auto sql = build_read_sql(request, {}, angle);
  EXPECT_TRUE(contains(sql, "((`a` > 1) OR (`a` = 1 AND `b` > <x>))")) << sql;
}

TEST(MysqlSql, ATimestampReadOrdersByTimestampThenKeyUpToItsBound) {
  auto request = orders_after_42();
  request.order = ReadOrder::by_timestamp_then_key;
  request.timestamp = column("updated_at", "datetime");
  request.after_timestamp = "T";
  request.until_timestamp = "U";
  EXPECT_TRUE(build_read_sql(request, {}, angle)
                  .ends_with(" WHERE ((`updated_at` > <T>) OR (`updated_at` = <T> AND `id` > 42)) "
                             "AND `updated_at` <= <U> ORDER BY `updated_at`, `id`"));
  request.after_key.clear();
  request.until_timestamp.reset();
  EXPECT_TRUE(build_read_sql(request, {}, angle)
                  .ends_with(" WHERE `updated_at` > <T> ORDER BY "
                             "`updated_at`, `id`"));
}

TEST(MysqlSql, AnEnumCursorComparesLabelIndexes) {
  auto request = orders_after_42();
  auto state = column("state", "enum");
  state.column_type = "enum('a','b')";
  request.key = {state};
  request.after_key = {"b"};
  EXPECT_TRUE(contains(build_read_sql(request, {}, angle), "((`state` + 0) > 2)"));
  request.after_key = {"zzz"};
  EXPECT_TRUE(contains(build_read_sql(request, {}, angle), "((`state` + 0) > 0)"));
}

TEST(MysqlSql, NullOrZeroTimestampsMatchTheColumnsZeroDate) {
  auto request = orders_after_42();
  request.after_key.clear();
  request.only_null_or_zero_timestamp = true;
  request.timestamp = column("d", "date");
  EXPECT_TRUE(contains(where_clause(request, angle), " WHERE (`d` IS NULL OR `d` = '0000-00-00')"));
  request.timestamp = column("d", "datetime");
  EXPECT_TRUE(contains(where_clause(request, angle), "`d` = '0000-00-00 00:00:00')"));
}

TEST(MysqlSql, AChunkAndTheMappingsFilterFollowTheCursor) {
  const auto plan = plan_range(col("id", HashKind::integer), "1000");
  auto request = orders_after_42();
  request.chunk = ChunkFilter{&plan, "2"};
  request.where = "status <> 'x'";
  EXPECT_TRUE(build_read_sql(request, {}, angle)
                  .ends_with(" AND (`id` >= 2000 AND `id` < 3000) AND (status <> 'x') ORDER BY "
                             "`id`"));
}

TEST(MysqlSql, ColumnsAreReadWithTheirSelectExpression) {
  ReadRequest request;
  request.table = "shapes";
  request.columns = {column("price", "float"), column("g", "geometry")};
  EXPECT_EQ(build_read_sql(request, convert::ReadDialect{true}, angle),
            "SELECT CAST((`price` + 0e0) AS CHAR), ST_AsText(`g`, 'axis-order=long-lat') FROM "
            "`shapes`");
}

TEST(MysqlSql, ATimestampOrderWithoutATimestampIsABug) {
  auto request = orders_after_42();
  request.order = ReadOrder::by_timestamp_then_key;
  EXPECT_THROW(where_clause(request, angle), Error);
}

TEST(MysqlSql, ACountHasTheReadsConditions) {
  const auto request = orders_after_42();
  EXPECT_EQ(count_rows_sql(request, angle),
            "SELECT COUNT(*) FROM `orders`" + where_clause(request, angle));
  EXPECT_TRUE(contains(build_read_sql(request, {}, angle), where_clause(request, angle)));
}

TEST(MysqlSql, KeyRange) {
  EXPECT_EQ(key_range_sql("orders", "id", ""),
            "SELECT COUNT(*), CAST(MIN(`id`) AS CHAR), CAST(MAX(`id`) AS CHAR) FROM `orders`");
  EXPECT_EQ(key_range_sql("orders", "id", "x > 1"),
            "SELECT COUNT(*), CAST(MIN(`id`) AS CHAR), CAST(MAX(`id`) AS CHAR) FROM `orders` "
            "WHERE (x > 1)");
}

TEST(MysqlSql, OnlyANumberForANumericColumnGoesUnquoted) {
  EXPECT_EQ(literal_for(column("c", "int"), "42", angle), "42");
  EXPECT_EQ(literal_for(column("c", "int"), "4 2", angle), "<4 2>");
  EXPECT_EQ(literal_for(column("c", "varchar"), "42", angle), "<42>");
  EXPECT_EQ(literal_for(column("c", "decimal"), "-1.5e3", angle), "-1.5e3");
}

TEST(MysqlSql, TheLoadsTransformsAreRepeatedOnText) {
  auto text = col("c", HashKind::text);
  using Kind = HashTransform::Kind;
  text.transforms = {{Kind::lowercase, ""},
                     {Kind::trim, ""},
                     {Kind::null_if, "n/a"},
                     {Kind::default_value, "it's"}};
  EXPECT_EQ(hash_text(text, std::nullopt, {}),
            "COALESCE(NULLIF(TRIM(LOWER(CONVERT(`c` USING utf8mb4))), 'n/a'), 'it''s')");
  text.transforms = {{Kind::default_value, "a\\b"}};
  EXPECT_EQ(hash_text(text, std::nullopt, {}), "COALESCE(CONVERT(`c` USING utf8mb4), 'a\\\\b')");
  for (const auto kind : {HashKind::date, HashKind::boolean}) {
    auto other = col("c", kind);
    other.transforms = {{Kind::lowercase, ""}};
    EXPECT_EQ(hash_text(other, std::nullopt, {}), hash_text(col("c", kind), std::nullopt, {}));
  }
}

TEST(MysqlSql, AZeroDateHashesAsTheSentinelTheLoadWrites) {
  EXPECT_EQ(hash_text(col("d", HashKind::date), std::string("1970-01-01"), {}),
            "IF(YEAR(`d`) = 0 OR MONTH(`d`) = 0 OR DAYOFMONTH(`d`) = 0, "
            "DATE_FORMAT(CAST('1970-01-01' AS DATETIME(6)), '%Y-%m-%d'), DATE_FORMAT(`d`, "
            "'%Y-%m-%d'))");
}

TEST(MysqlSql, EachSourceTextHasItsDigestPart) {
  auto c = col("c", HashKind::text);
  c.source_data_type = "varchar";
  const std::pair<SourceText, std::string> expected[] = {
      {SourceText::as_text, "COALESCE(CAST(`c` AS CHAR), 'N')"},
      {SourceText::as_sized_text,
       "COALESCE(CONCAT(LENGTH(CAST(CONVERT(`c` USING utf8mb4) AS BINARY)), ':', "
       "CAST(CONVERT(`c` USING utf8mb4) AS BINARY)), 'N')"},
      {SourceText::as_sized_bytes,
       "COALESCE(CONCAT(LENGTH(CAST(`c` AS BINARY)), ':', CAST(`c` AS BINARY)), 'N')"},
      {SourceText::as_hashed_text, "COALESCE(SHA2(CONVERT(`c` USING utf8mb4), 256), 'N')"},
      {SourceText::as_hashed_bytes, "COALESCE(SHA2(`c`, 256), 'N')"},
  };
  for (const auto& [text, sql] : expected) {
    c.source_text = text;
    EXPECT_EQ(source_digest_part(c, {}), sql);
  }
  c.source_text = SourceText::as_text;
  c.source_data_type = "float";
  EXPECT_EQ(source_digest_part(c, {}), "COALESCE(CAST(CAST((`c` + 0e0) AS CHAR) AS CHAR), 'N')");
}

TEST(MysqlSql, TheSourceDigestEndsWithTheMappingsFingerprint) {
  const auto a = col("a", HashKind::integer);
  const auto b = col("b", HashKind::integer);
  EXPECT_EQ(source_digest_sql({a, b}, "f'1", {}),
            "CAST(CONV(SUBSTRING(SHA2(concat_ws('|', " + source_digest_part(a, {}) + ", "
                + source_digest_part(b, {}) + ", 'm:f''1'), 256), 1, 16), 16, 10) AS UNSIGNED)");
}

ComparePlan plan_with_float() {
  auto plan = plan_range(col("id", HashKind::integer), "1000");
  plan.columns.push_back(col("price", HashKind::float_value));
  plan.where = "x > 1";
  return plan;
}

TEST(MysqlSql, ChunkDigestsSumFloatsApart) {
  auto plan = plan_with_float();
  const auto query = chunk_digests_sql("orders", plan, {});
  EXPECT_EQ(query.sql,
            "SELECT CAST(chunk_id AS CHAR), COUNT(*), CAST(BIT_XOR(h) AS CHAR), "
            "COALESCE(SUM(`price`), 0) FROM (SELECT `id` DIV 1000 AS chunk_id, "
                + row_hash_sql(plan, {})
                + " AS h, `price` FROM `orders` WHERE (x > 1)) AS rows_hashed GROUP BY chunk_id");
  EXPECT_EQ(query.float_sums, 1U);
  EXPECT_FALSE(query.hash_sum);

  plan.digest_column = "_migrate_digest";
  const auto digested = chunk_digests_sql("orders", plan, {});
  EXPECT_FALSE(contains(digested.sql, "SUM(`price`)")) << digested.sql;
  EXPECT_FALSE(contains(digested.sql, " AS h, `price`")) << digested.sql;
  EXPECT_EQ(digested.float_sums, 0U);

  const auto whole = chunk_digests_sql("orders", plan_whole(), {});
  EXPECT_TRUE(contains(whole.sql, ", CAST(SUM(h) AS CHAR) FROM (SELECT 0 AS chunk_id"))
      << whole.sql;
  EXPECT_TRUE(whole.hash_sum);
}

TEST(MysqlSql, RowDigestsOfAHashBucket) {
  auto plan = plan_hash({col("code", HashKind::text)}, "16");
  plan.zero_date = "1970-01-01";
  plan.where = "x > 1";
  EXPECT_EQ(row_digests_sql("orders", ChunkFilter{&plan, "3"}, {}),
            "SELECT CAST(" + row_hash_sql(plan, {})
                + " AS CHAR), CONVERT(`code` USING utf8mb4) FROM `orders` WHERE "
                  "CAST(CONV(SUBSTRING(SHA2(CONCAT(COALESCE(SHA2(CONVERT(`code` USING utf8mb4), "
                  "256), 'N')), 256), 1, 8), 16, 10) AS UNSIGNED) % 16 = 3 AND (x > 1)");
}

TEST(MysqlSql, DigestSamplesReadEachColumnItsPartAndTheDigest) {
  auto plan = plan_range(col("id", HashKind::integer), "1000");
  auto name = col("name", HashKind::text);
  name.source_data_type = "varchar";
  name.source_text = SourceText::as_sized_text;
  plan.columns.push_back(name);
  plan.digest_fingerprint = "f";
  const ChunkFilter chunk{&plan, "2"};
  EXPECT_EQ(digest_samples_sql("orders", chunk, 5, {}),
            "SELECT `id`, `name`, " + source_digest_part(plan.columns[0], {}) + ", "
                + source_digest_part(name, {}) + ", CAST("
                + source_digest_sql(plan.columns, "f", {})
                + " AS CHAR) FROM `orders` WHERE (`id` >= 2000 AND `id` < 3000) LIMIT 5");
  const auto whole = plan_whole();
  EXPECT_TRUE(digest_samples_sql("orders", ChunkFilter{&whole, "0"}, 5, {})
                  .ends_with(" WHERE 1 = 1 LIMIT 5"));
}

} // namespace
} // namespace migrate::source

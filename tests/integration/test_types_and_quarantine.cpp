// Every MySQL type with edge values, encodings, bad values in quarantine, transformations, schema
// drift: each value is read back from PostgreSQL and compared.
#include "support.hpp"

#include <fstream>

namespace migrate::testing {
namespace {

class Types : public TestDatabase {
protected:
  ProcessResult run(const std::string& args = {}) {
    return migrate(args, {{"MIGRATE_TEST_SALT", "pepper"}});
  }
  void run_ok(const std::string& args = {}) {
    const auto result = run(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  std::string latest(const std::string& table, const std::string& column) {
    return latest_run(table).at(column);
  }
};

TEST_F(Types, EveryTypeWithEdgeValuesArrivesExact) {
  mysql().exec(R"sql(
    CREATE TABLE alltypes (
      id INT NOT NULL PRIMARY KEY,
      ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED,
      mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
      flag TINYINT(1), amount DECIMAL(30,10), f FLOAT, d DOUBLE, b1 BIT(1), b10 BIT(10), yr YEAR,
      dt DATE, dtm DATETIME(6), ts TIMESTAMP(6) NULL, tm TIME(6),
      c CHAR(10), vc VARCHAR(20), tt TINYTEXT, mt MEDIUMTEXT, lt LONGTEXT,
      l1 VARCHAR(20) CHARACTER SET latin1, u3 VARCHAR(20) CHARACTER SET utf8mb3,
      bn BINARY(4), vb VARBINARY(10), bl BLOB, lb LONGBLOB,
      e ENUM('a','b',''), st SET('x','y','z'), g GEOMETRY, p POINT
    ) DEFAULT CHARSET=utf8mb4)sql");
  mysql().exec(R"sql(
    INSERT INTO alltypes VALUES
    (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0,
     0, -99999999999999999999.9999999999, -3.40282e38, -1.7976931348623157e308, b'0', b'0000000000',
     1901, '1000-01-01', '1000-01-01 00:00:00.000000', '1970-01-01 00:00:01.000000',
     '-838:59:59.000000', '', '', '', '', '', '', '', x'00000000', x'', x'', x'', '', '',
     ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(-180 -90)')),
    (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807,
     18446744073709551615, 1, 99999999999999999999.9999999999, 3.40282e38, 1.7976931348623157e308,
     b'1', b'1111111111', 2155, '9999-12-31', '9999-12-31 23:59:59.999999',
     '2038-01-19 03:14:07.999999', '838:59:59.000000', 'tenchars!!', 'x😀 €é\t\n\\',
     'Ünïcödé', REPEAT('m', 1000), REPEAT('ü', 70000), 'é€ÿ', 'ü', x'00ff00ff', x'00010203',
     x'000000', REPEAT(x'00ff', 40000), 'b', 'x,y,z',
     ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))'), ST_GeomFromText('POINT(1.5 -2.25)')),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL),
    (4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0.0000000001, 0.1, 0.1, b'1', b'0000000101', 2000,
     '2024-02-29', '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.000001', '00:00:00.500000',
     'a', 'b', 'c', 'd', 'e', 'f', 'g', x'01', x'ff', x'00', x'00', 'a', 'x',
     ST_GeomFromText('LINESTRING(0 0,1 1)'), ST_GeomFromText('POINT(0.1 0.2)')),
    (5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1.5, 1.17549e-38, 4.9406564584124654e-324, b'0',
     b'1000000000', 1999, '2000-01-01', '2000-01-01 00:00:00', '2000-01-01 00:00:00',
     '-00:00:00.000001', 'b', 'b', 'b', 'b', 'b', 'b', 'b', x'', x'', x'', x'', '', 'z',
     ST_GeomFromText('MULTIPOINT(1 1,2 2)'), ST_GeomFromText('POINT(3 4)')))sql");
  write_mapping("tables:\n  - source_table: alltypes\n");
  run_ok();
  expect_same_content("alltypes");
  // Spot checks that do not go through the dump's normalisation.
  EXPECT_EQ(pg().scalar("SELECT biu::text FROM alltypes WHERE id = 2"), "18446744073709551615");
  EXPECT_EQ(pg().scalar("SELECT vc FROM alltypes WHERE id = 2"), "x😀 €é\t\n\\");
  EXPECT_EQ(pg().scalar("SELECT l1 FROM alltypes WHERE id = 2"), "é€ÿ");
  EXPECT_EQ(pg().scalar("SELECT tm::text FROM alltypes WHERE id = 1"), "-838:59:59");
  EXPECT_EQ(pg().scalar("SELECT encode(bn, 'hex') FROM alltypes WHERE id = 2"), "00ff00ff");
  EXPECT_EQ(pg().scalar("SELECT array_to_string(st, '|') FROM alltypes WHERE id = 2"), "x|y|z");
  EXPECT_EQ(pg().scalar("SELECT e FROM alltypes WHERE id = 5"), "");
  EXPECT_EQ(pg().scalar("SELECT flag::text FROM alltypes WHERE id = 2"), "true");
  EXPECT_EQ(pg().scalar("SELECT b10::text FROM alltypes WHERE id = 4"), "0000000101");
  EXPECT_EQ(
      pg().scalar("SELECT to_char(dtm, 'YYYY-MM-DD HH24:MI:SS.US') FROM alltypes WHERE id = 2"),
      "9999-12-31 23:59:59.999999");
  EXPECT_EQ(pg().scalar("SELECT d::text FROM alltypes WHERE id = 5"), "5e-324");
  EXPECT_EQ(pg().scalar("SELECT p FROM alltypes WHERE id = 2"), "POINT(1.5 -2.25)");
  // A second run compares chunk digests and ships nothing: the normalisation agrees for every type.
  run_ok();
  EXPECT_EQ(latest("alltypes", "rows_read"), "0");
  EXPECT_EQ(latest("alltypes", "chunks_differing"), "0");
  // The same proof on the user's side, before any run: MySQL's SQL and the client agree on every
  // column's part of the row digest.
  const auto sample = run("check --sample 10");
  EXPECT_NE(sample.output.find("table alltypes digests: ok, 5 rows sampled"), std::string::npos)
      << sample.output;
}

// A first load of types PostgreSQL stores exactly as sent carries each row's seal from the client;
// every one is the seal PostgreSQL computes itself, edge values and NULLs included. A table with a
// type the client does not seal (a SET: text[]) is sealed by PostgreSQL.
TEST_F(Types, SealsTheClientComputesAreThoseOfPostgres) {
  mysql().exec(R"sql(
    CREATE TABLE sealed (
      id BIGINT UNSIGNED NOT NULL PRIMARY KEY, ti TINYINT, si SMALLINT UNSIGNED, mi MEDIUMINT,
      i INT, iu INT UNSIGNED, bi BIGINT, flag TINYINT(1), b1 BIT(1), yr YEAR,
      amount DECIMAL(30,10), small DECIMAL(5,0), f FLOAT, d DOUBLE,
      dt DATE, dtm DATETIME(6), dt0 DATETIME, ts TIMESTAMP(6) NULL, tm TIME(6),
      vc VARCHAR(20), tt TEXT, l1 VARCHAR(20) CHARACTER SET latin1, e ENUM('a','b',''),
      bn BINARY(4), vb VARBINARY(10), bl MEDIUMBLOB
    ) DEFAULT CHARSET=utf8mb4)sql");
  mysql().exec(R"sql(
    INSERT INTO sealed VALUES
    (1, -128, 0, -8388608, -2147483648, 0, -9223372036854775808, 0, b'0', 1901,
     -99999999999999999999.9999999999, -99999, -3.40282e38, -1.7976931348623157e308,
     '1000-01-01', '1000-01-01 00:00:00.000000', '1000-01-01 00:00:00', '1970-01-01 00:00:01',
     '-838:59:59.000000', '', '', '', '', x'00000000', x'', x''),
    (18446744073709551615, 127, 65535, 8388607, 2147483647, 4294967295, 9223372036854775807, 1,
     b'1', 2155, 99999999999999999999.9999999999, 99999, 3.40282e38, 1.7976931348623157e308,
     '9999-12-31', '9999-12-31 23:59:59.999999', '9999-12-31 23:59:59',
     '2038-01-19 03:14:07.999999', '838:59:59.000000', 'x😀 €é\t\n\\', 'Ünïcödé', 'é€ÿ',
     'b', x'00ff00ff', x'00010203', REPEAT(x'00ff', 40000)),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    (4, 0, 0, 0, 0, 0, 0, 0, b'0', 2000, 0, 0, 0, -0.0, '2000-01-01', '2000-01-01 00:00:00',
     '2000-01-01 00:00:00', '2000-01-01 00:00:00.000001', '-00:00:00.000001', 'b', 'b', 'b',
     'a', x'01', x'ff', x'00'),
    (5, 1, 1, 1, 1, 1, 1, 1, b'1', 1999, 0.0000000001, 10000, 0.1, 5e-324, '2024-02-29',
     '2024-02-29 12:34:56.789012', '1969-12-31 23:59:59', '2024-02-29 12:34:56.5',
     '00:00:00.500000', REPEAT('z', 20), REPEAT('long text ', 500), 'Tromsø', 'a', x'0102',
     x'00', x'00'))sql");
  mysql().exec("CREATE TABLE with_set (id INT PRIMARY KEY, st SET('x','y'))");
  mysql().exec("INSERT INTO with_set VALUES (1, 'x,y'), (2, NULL)");
  write_mapping("tables:\n  - source_table: sealed\n  - source_table: with_set\n");
  const auto result = run();
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("table=sealed first load: rows sealed by the client"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(result.output.find("table=with_set first load: rows sealed by the client"),
            std::string::npos)
      << result.output;
  for (const std::string table : {"sealed", "with_set"}) {
    const auto columns = pg().scalar(
        "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM "
        "information_schema.columns WHERE table_name = '"
        + table + "' AND column_name NOT LIKE '\\_migrate%'");
    EXPECT_EQ(pg().scalar("SELECT count(*) FROM " + table
                          + " WHERE _migrate_seal IS DISTINCT FROM hash_record_extended(ROW("
                          + columns + "), 0)"),
              "0")
        << table << ": " << columns;
  }
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM sealed"), "5");
  // The seals hold: a second run compares and ships nothing.
  run_ok();
  EXPECT_EQ(latest("sealed", "rows_read"), "0");
  EXPECT_EQ(latest("sealed", "chunks_differing"), "0");
}

// `check --sample` on each way a table is chunked: an integer key (ranges), a text key and a
// TIME key (hash buckets), no key (compared whole); all before the first run.
TEST_F(Types, CheckSampleProvesTheDigestsForEveryKindOfKey) {
  mysql().exec("CREATE TABLE by_int (id BIGINT PRIMARY KEY, v VARCHAR(10))");
  mysql().exec("CREATE TABLE by_text (code VARCHAR(10) PRIMARY KEY, v DOUBLE)");
  mysql().exec("CREATE TABLE by_time (at TIME(3) PRIMARY KEY, v TEXT)");
  mysql().exec("CREATE TABLE no_key (v VARCHAR(10), n INT)");
  for (int i = 0; i < 50; ++i) {
    const auto n = std::to_string(i);
    mysql().exec("INSERT INTO by_int VALUES (" + std::to_string(i * 1000) + ", 'v" + n + "')");
    mysql().exec("INSERT INTO by_text VALUES ('k" + n + "', " + n + ".125e-3)");
    mysql().exec("INSERT INTO by_time VALUES (SEC_TO_TIME(" + n + " * 3600.5 - 90000), 't" + n
                 + "')");
    mysql().exec("INSERT INTO no_key VALUES ('n" + n + "', " + n + ")");
  }
  write_mapping("tables:\n  - source_table: by_int\n  - source_table: by_text\n"
                "  - source_table: by_time\n  - source_table: no_key\n");
  const auto sample = run("check --sample 8");
  for (const auto* table : {"by_int", "by_text", "by_time", "no_key"}) {
    EXPECT_NE(sample.output.find("table " + std::string(table) + " digests: ok, "),
              std::string::npos)
        << table << "\n"
        << sample.output;
  }
  EXPECT_EQ(sample.output.find(" digests: ok, 0"), std::string::npos) << sample.output;
}

// A TIME key is hash-bucketed by its seconds, which MySQL's TIME_TO_SEC would truncate: both
// engines must put each row in the same bucket, or a comparison deletes and re-inserts it on
// every run.
TEST_F(Types, ATimeKeyIsBucketedAlikeInBothEngines) {
  mysql().exec("CREATE TABLE shifts (starts TIME(3) PRIMARY KEY, label VARCHAR(10))");
  mysql().exec("INSERT INTO shifts VALUES ('-01:00:00.250', 'a'), ('00:00:00.500', 'b'), "
               "('00:00:01.000', 'c'), ('838:59:59.000', 'd'), ('12:30:15.125', 'e')");
  write_mapping("tables:\n  - source_table: shifts\n    chunk_rows: 1\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM shifts"), "5");
  run_ok();
  EXPECT_EQ(latest("shifts", "chunks_differing"), "0");
  EXPECT_EQ(latest("shifts", "rows_deleted"), "0");
  EXPECT_EQ(latest("shifts", "rows_read"), "0");
  run_ok("validate --checksum");
}

// Generated and invisible columns arrive as plain values: PostgreSQL does not compute them again
// (an expression in MySQL's SQL is not PostgreSQL's), and MySQL's changes to them are synced like
// any other value. An invisible column is read because the tool names every column.
TEST_F(Types, GeneratedAndInvisibleColumnsArriveAsValues) {
  mysql().exec("CREATE TABLE orders (id INT PRIMARY KEY, price DECIMAL(8,2), qty INT, "
               "total DECIMAL(10,2) AS (price * qty) STORED, "
               "label VARCHAR(12) AS (CONCAT('order ', id)) VIRTUAL, "
               "secret VARCHAR(10) INVISIBLE)");
  mysql().exec("INSERT INTO orders (id, price, qty, secret) VALUES (1, 2.50, 4, 's1'), "
               "(2, 1.00, 1, NULL)");
  write_mapping("tables:\n  - source_table: orders\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT total::text || ' ' || label || ' ' || secret FROM orders "
                        "WHERE id = 1"),
            "10.00 order 1 s1");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'orders'::regclass "
                        "AND attgenerated <> ''"),
            "0");
  mysql().exec("UPDATE orders SET qty = 10 WHERE id = 1");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT total::text FROM orders WHERE id = 1"), "25.00");
  const auto check = run("validate --checksum");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

// An unsigned TINYINT(1) holds 0 to 255: a number on every server, whatever width MySQL reports.
TEST_F(Types, AnUnsignedTinyint1IsANumberOnEveryServer) {
  mysql().exec("CREATE TABLE flags (id INT PRIMARY KEY, f TINYINT(1) UNSIGNED, b TINYINT(1))");
  mysql().exec("INSERT INTO flags VALUES (1, 0, 0), (2, 1, 1), (3, 200, NULL)");
  write_mapping("tables:\n  - source_table: flags\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                        "attrelid = 'flags'::regclass AND attname = 'f'"),
            "smallint");
  EXPECT_EQ(pg().scalar("SELECT string_agg(f::text || '/' || coalesce(b::text, '-'), ',' ORDER BY "
                        "id) FROM flags"),
            "0/false,1/true,200/-");
  run_ok("validate --checksum");
}

// MySQL 8.0.30+ can give a table created without a primary key an invisible one, my_row_id: the
// table is keyed by it (merged by key, not replaced whole), and the key arrives as a column.
TEST_F(Types, AGeneratedInvisiblePrimaryKeyKeysTheTable) {
  if (mysql().is_mariadb()) {
    GTEST_SKIP() << "generated invisible primary keys are MySQL's (8.0.30+)";
  }
  mysql().exec("SET SESSION sql_generate_invisible_primary_key = ON");
  mysql().exec("CREATE TABLE notes (body VARCHAR(20))");
  mysql().exec("SET SESSION sql_generate_invisible_primary_key = OFF");
  mysql().exec("INSERT INTO notes (body) VALUES ('a'), ('b')");
  write_mapping("tables:\n  - source_table: notes\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(my_row_id::text || body, ',' ORDER BY my_row_id) "
                        "FROM notes"),
            "1a,2b");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'notes'::regclass "
                        "AND contype = 'p'"),
            "1");
  mysql().exec("UPDATE notes SET body = 'b2' WHERE body = 'b'");
  run_ok();
  EXPECT_EQ(latest("notes", "mode"), "compare");
  EXPECT_EQ(pg().scalar("SELECT body FROM notes WHERE my_row_id = 2"), "b2");
}

// MySQL 8.0 and later report a GEOMETRYCOLLECTION column's DATA_TYPE as geomcollection.
TEST_F(Types, AGeometryCollectionColumnArrivesAsText) {
  mysql().exec("CREATE TABLE shapes (id INT PRIMARY KEY, gc GEOMETRYCOLLECTION)");
  mysql().exec("INSERT INTO shapes VALUES (1, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2),"
               "LINESTRING(0 0,1 1))')), (2, NULL)");
  write_mapping("tables:\n  - source_table: shapes\n");
  run_ok();
  expect_same_content("shapes");
  EXPECT_EQ(pg().scalar("SELECT gc FROM shapes WHERE id = 1"),
            "GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))");
  run_ok("validate --checksum");
}

// MySQL 8.0+ writes a geographic SRID's WKT latitude first; the target holds longitude first on
// every server, as MariaDB, MySQL 5.7 and PostGIS write it.
TEST_F(Types, AGeographicPointArrivesLongitudeFirstOnEveryServer) {
  // MariaDB has no SRID column attribute; the value carries its SRID on every server.
  mysql().exec("CREATE TABLE places (id INT PRIMARY KEY, at POINT, plain POINT)");
  // Longitude 50, latitude 10, as each server takes it.
  const std::string at = mysql().is_mariadb()
                             ? "ST_GeomFromText('POINT(50 10)', 4326)"
                             : "ST_GeomFromText('POINT(50 10)', 4326, 'axis-order=long-lat')";
  mysql().exec("INSERT INTO places VALUES (1, " + at + ", ST_GeomFromText('POINT(1 2)'))");
  write_mapping("tables:\n  - source_table: places\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT at FROM places WHERE id = 1"), "POINT(50 10)");
  EXPECT_EQ(pg().scalar("SELECT plain FROM places WHERE id = 1"), "POINT(1 2)");
  const auto check = run("validate --checksum");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  const auto probes = run("check");
  EXPECT_NE(probes.output.find("mysql geometry axis order: "
                               + std::string(mysql().is_mariadb() ? "ST_AsText has no axis-order"
                                                                  : "ST_AsText writes POINT(1 2)")),
            std::string::npos)
      << probes.output;
}

// A global limit on statement time (MySQL's max_execution_time, MariaDB's max_statement_time)
// must not abort the long streamed read of a table.
TEST_F(Types, AGlobalStatementTimeLimitDoesNotAbortTheRead) {
  create_numbered_table("big", 200000);
  const std::string limit = mysql().is_mariadb() ? "max_statement_time" : "max_execution_time";
  const std::string tiny = mysql().is_mariadb() ? "0.001" : "1";
  mysql().exec("SET GLOBAL " + limit + " = " + tiny);
  write_mapping("tables:\n  - source_table: big\n");
  const auto result = migrate();
  mysql().exec("SET GLOBAL " + limit + " = 0");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM big"), "200000");
}

TEST_F(Types, JsonArrivesAsEquivalentJsonb) {
  mysql().exec("CREATE TABLE docs (id INT PRIMARY KEY, doc JSON)");
  mysql().exec(
      R"sql(INSERT INTO docs VALUES (1, '{"b": [1, 2, {"c": null}], "a": "é😀", "n": 1.5e3}'),
                    (2, NULL), (3, '[]'), (4, '"text"'))sql");
  write_mapping("tables:\n  - source_table: docs\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT pg_typeof(doc)::text FROM docs WHERE id = 1"), "jsonb");
  for (const auto& row : mysql().query("SELECT id, doc FROM docs WHERE doc IS NOT NULL")) {
    std::string literal;
    for (const char c : *row[1]) {
      literal += c;
      if (c == '\'') {
        literal += '\'';
      }
    }
    EXPECT_EQ(pg().scalar("SELECT doc = '" + literal + "'::jsonb FROM docs WHERE id = " + *row[0]),
              "t")
        << *row[1];
  }
  EXPECT_EQ(pg().scalar("SELECT doc IS NULL FROM docs WHERE id = 2"), "t");
}

// MySQL normalises JSON as it stores it (keys sorted, the last of duplicate keys kept; 5.7 kept
// the first), MariaDB keeps the text: either way the digest MySQL computes in SQL is of what the
// client received, so the comparison finds no difference.
TEST_F(Types, JsonWithDuplicateAndUnsortedKeysComparesEqual) {
  mysql().exec("CREATE TABLE docs (id INT PRIMARY KEY, doc JSON)");
  mysql().exec(R"sql(INSERT INTO docs VALUES (1, '{"b": 1, "a": 2, "a": 3}'),
                                          (2, '{"z": {"y": [3, 2], "x": null}}'))sql");
  write_mapping("tables:\n  - source_table: docs\n");
  run_ok();
  // jsonb keeps the last of duplicate keys, as MySQL 8.0+ does; MariaDB's JSON functions read the
  // first (docs/mysql-compatibility.md).
  EXPECT_EQ(pg().scalar("SELECT doc->>'a' FROM docs WHERE id = 1"), "3");
  if (!mysql().is_mariadb()) {
    EXPECT_EQ(
        mysql().scalar("SELECT JSON_UNQUOTE(JSON_EXTRACT(doc, '$.a')) FROM docs WHERE id = 1"),
        "3");
  }
  const auto check = run("validate --checksum");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  const auto sample = run("check --sample 5");
  EXPECT_NE(sample.output.find("table docs digests: ok"), std::string::npos) << sample.output;
}

TEST_F(Types, ZeroDatesBecomeNullOrTheSentinelAndAreCounted) {
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("CREATE TABLE legacy (id INT PRIMARY KEY, d DATE NULL, dt DATETIME NULL, "
               "req DATE NOT NULL, e ENUM('a','b'))");
  mysql().exec("INSERT INTO legacy VALUES (1, '0000-00-00', '2020-00-15 10:00:00', '2020-01-01', "
               "'a'), (2, '2020-02-30', '2020-01-01 00:00:00', '0000-00-00', 'zzz'), "
               "(3, '2021-05-06', NULL, '2021-05-06', NULL)");
  mysql().exec("SET SESSION sql_mode = DEFAULT");
  write_mapping("tables:\n  - source_table: legacy\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT coalesce(d::text, 'NULL') || ' ' || coalesce(dt::text, 'NULL') "
                        "FROM legacy WHERE id = 1"),
            "NULL NULL");
  // '2020-02-30' is stored by a lax MySQL as the zero date too; a NOT NULL column cannot take NULL.
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM legacy WHERE id = 2"), "0");
  EXPECT_EQ(latest("legacy", "quarantined"), "1");
  const auto listed = run("quarantine --table legacy");
  EXPECT_NE(listed.output.find("key=\"id=2\" column=req"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("zero date in a NOT NULL column"), std::string::npos);
  EXPECT_NE(listed.output.find("raw_hex=303030302d30302d3030"), std::string::npos);

  write_mapping("tables:\n  - source_table: legacy\n    zero_date: '1970-01-01'\n");
  pg().exec("DROP TABLE legacy");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT req::text FROM legacy WHERE id = 2"), "1970-01-01");
  EXPECT_EQ(pg().scalar("SELECT e FROM legacy WHERE id = 2"), ""); // MySQL's ENUM error value
  run_ok();
  EXPECT_EQ(latest("legacy", "chunks_differing"), "0");
}

// A zero date in the timestamp column is a position like any other: it sorts first, the cursor
// may stand on it, and a cursor literal of zeros is compared by MySQL without an error.
TEST_F(Types, ZeroDatesInTheTimestampColumnAreReadAndPassed) {
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("CREATE TABLE stamped (id INT PRIMARY KEY, v INT, "
               "updated_at DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00')");
  mysql().exec("INSERT INTO stamped (id, v) VALUES (1, 1), (2, 2)");
  mysql().exec("SET SESSION sql_mode = DEFAULT");
  write_mapping("tables:\n  - source_table: stamped\n    timestamp_column: updated_at\n"
                "    zero_date: '1970-01-01 00:00:00'\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM stamped"), "2");
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("INSERT INTO stamped (id, v) VALUES (3, 3)"); // another zero date, key after
  mysql().exec("SET SESSION sql_mode = DEFAULT");
  mysql().exec("INSERT INTO stamped VALUES (4, 4, NOW() - INTERVAL 1 HOUR)");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM stamped"), "1,2,3,4");
  // The cursor now stands on row 4's real time: a zero-date row with a lower key is behind it,
  // and only the pass that reads NULL and zero timestamps by key reaches it.
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("INSERT INTO stamped (id, v) VALUES (0, 0)");
  mysql().exec("SET SESSION sql_mode = DEFAULT");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM stamped"), "0,1,2,3,4");
  run_ok("validate --checksum");
}

TEST_F(Types, RepairsDoubleEncodedTextAndLeavesCorrectTextAlone) {
  mysql().exec("CREATE TABLE names (id INT PRIMARY KEY, name VARCHAR(50)) CHARACTER SET utf8mb4");
  // What a latin1 client wrote into a UTF-8 column: each UTF-8 byte became a character.
  mysql().exec("INSERT INTO names VALUES (1, CONVERT(CAST(CONVERT('Café' USING utf8mb4) AS BINARY) "
               "USING latin1)), (2, 'Café'), (3, 'Zoë 😀'), (4, 'plain')");
  EXPECT_EQ(mysql().scalar("SELECT name FROM names WHERE id = 1"), "CafÃ©");
  write_mapping(
      "tables:\n  - source_table: names\n    fix_encoding:\n      name: double_encoded\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(name, '|' ORDER BY id) FROM names"),
            "Café|Café|Zoë 😀|plain");
}

TEST_F(Types, BadTextUnderEachPolicy) {
  for (const auto* table : {"t_strip", "t_replace", "t_reject"}) {
    mysql().exec(std::string("CREATE TABLE ") + table
                 + " (id INT PRIMARY KEY, txt VARCHAR(20), raw VARBINARY(20))");
    mysql().exec(std::string("INSERT INTO ") + table
                 + " VALUES (1, CONCAT('a', CHAR(0), 'b'), 'ok'), (2, 'fine', x'636166e921'), "
                   "(3, 'good', 'good')");
  }
  write_mapping(R"yaml(defaults:
  chunk_rows: 10
tables:
  - source_table: t_strip
    bad_text: strip
    cast: {raw: text}
  - source_table: t_replace
    bad_text: replace
    cast: {raw: text}
  - source_table: t_reject
    bad_text: reject
    cast: {raw: text}
)yaml");
  const auto result = run();
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(pg().scalar("SELECT string_agg(txt || '/' || raw, '|' ORDER BY id) FROM t_strip"),
            "ab/ok|fine/caf!|good/good");
  EXPECT_EQ(pg().scalar("SELECT string_agg(txt || '/' || raw, '|' ORDER BY id) FROM t_replace"),
            "a\xEF\xBF\xBD"
            "b/ok|fine/caf\xEF\xBF\xBD!|good/good");
  EXPECT_EQ(pg().scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM t_reject"), "3");
  EXPECT_EQ(latest("t_reject", "quarantined"), "2");
  EXPECT_NE(result.output.find("quarantined=2"), std::string::npos) << result.output;
  const auto listed = run("quarantine --table t_reject");
  EXPECT_NE(listed.output.find("key=\"id=1\" column=txt"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("raw_hex=610062"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("key=\"id=2\" column=raw"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("invalid UTF-8"), std::string::npos) << listed.output;
  const auto status = run("status --table t_reject");
  EXPECT_NE(status.output.find(" 2 "), std::string::npos) << status.output;
  // Quarantined rows are kept out, never deleted for being "missing" from the target.
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM t_reject"), "1");
  EXPECT_NE(run("quarantine --table t_reject").output.find("quarantined rows: 2"),
            std::string::npos);
  // Once fixed in MySQL, the row arrives and leaves the quarantine.
  mysql().exec("UPDATE t_reject SET txt = 'fixed' WHERE id = 1");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT txt FROM t_reject WHERE id = 1"), "fixed");
  const auto after = run("quarantine --table t_reject");
  EXPECT_NE(after.output.find("quarantined rows: 1"), std::string::npos) << after.output;
  EXPECT_EQ(after.output.find("key=\"id=1\""), std::string::npos) << after.output;
}

TEST_F(Types, TransformationsApplyAndTheComparisonRepeatsThem) {
  mysql().exec("CREATE TABLE people (id INT PRIMARY KEY, email VARCHAR(100), name VARCHAR(50), "
               "phone VARCHAR(30), ssn VARCHAR(20), note VARCHAR(50), internal VARCHAR(20), "
               "country CHAR(2), code VARCHAR(10))");
  mysql().exec("INSERT INTO people VALUES "
               "(1, 'Ann@Example.COM', '  Ann Lee ', '030 1234567', '123-45-6789', '', 'x', "
               "NULL, 'ab'), "
               "(2, 'BOB@EXAMPLE.com', 'Bob', '+1 415 555 0100', '987-65-4321', 'vip', 'y', "
               "'US', 'cd'), "
               "(3, 'test@example.com', 'Test', '0', '000', '', 'z', 'DE', 'ef')");
  write_mapping(R"yaml(tables:
  - source_table: people
    where: "email NOT LIKE 'test@%'"
    chunk_rows: 10
    transformations:
      - {column: email, type: lowercase}
      - {column: name, type: trim}
      - {column: name, type: rename, to: full_name}
      - {column: phone, type: format_phone, country_code: "49"}
      - {column: ssn, type: mask, method: sha256, salt_env: MIGRATE_TEST_SALT}
      - {column: note, type: null_if, value: ""}
      - {column: internal, type: exclude}
      - {column: country, type: default, value: "XX"}
      - {column: code, type: uppercase}
)yaml");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM people"), "2"); // the where: rule left id 3 out
  EXPECT_EQ(pg().scalar("SELECT email || '|' || full_name || '|' || phone || '|' || "
                        "coalesce(note, 'NULL') || '|' || country || '|' || code "
                        "FROM people WHERE id = 1"),
            "ann@example.com|Ann Lee|+49301234567|NULL|XX|AB");
  EXPECT_EQ(pg().scalar("SELECT phone FROM people WHERE id = 2"), "+14155550100");
  EXPECT_EQ(pg().scalar("SELECT ssn = encode(sha256('pepper123-45-6789'::bytea), 'hex') "
                        "FROM people WHERE id = 1"),
            "t");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = "
                        "'people' AND column_name IN ('internal', 'name')"),
            "0");
  run_ok();
  EXPECT_EQ(latest("people", "rows_read"), "0");
  EXPECT_EQ(latest("people", "chunks_differing"), "0");
  EXPECT_EQ(run("validate").exit_code, 0);
}

TEST_F(Types, ValuesATargetTypeCannotHoldAreQuarantinedNotTruncated) {
  mysql().exec("CREATE TABLE sizes (id INT PRIMARY KEY, n INT, label VARCHAR(20), flag TINYINT(1), "
               "phone VARCHAR(20))");
  mysql().exec("INSERT INTO sizes VALUES (1, 100, 'short', 1, '030 1234567'), "
               "(2, 40000, 'short', 0, '030 1234567'), (3, 1, 'much too long', 1, '030 1234567'), "
               "(4, 1, 'short', 2, '030 1234567'), (5, 1, 'short', 1, 'ask reception')");
  write_mapping(R"yaml(tables:
  - source_table: sizes
    cast: {n: smallint, label: varchar(8)}
    transformations:
      - {column: phone, type: format_phone, country_code: "49"}
)yaml");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM sizes"), "1");
  const auto listed = run("quarantine");
  EXPECT_NE(listed.output.find("out of range for smallint"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("longer than varchar(8)"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("neither 0 nor 1"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("format_phone"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("quarantined rows: 4"), std::string::npos) << listed.output;
}

// ALLOW_INVALID_DATES stores a day the month lacks; no PostgreSQL date holds it.
TEST_F(Types, ImpossibleDatesALaxServerStoredAreQuarantinedAndTheOtherRowsLoad) {
  mysql().exec("CREATE TABLE visits (id INT PRIMARY KEY, day DATE, at DATETIME(3))");
  mysql().exec("SET SESSION sql_mode = 'ALLOW_INVALID_DATES'");
  mysql().exec(
      "INSERT INTO visits VALUES (1, '2024-02-29', '2024-02-29 10:00:00.125'), "
      "(2, '2023-02-30', '2023-03-01 00:00:00'), (3, '2023-03-01', '2023-04-31 12:00:00')");
  mysql().exec("SET SESSION sql_mode = DEFAULT");
  write_mapping("tables:\n  - source_table: visits\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(id || ' ' || day || ' ' || at, ',') FROM visits"),
            "1 2024-02-29 2024-02-29 10:00:00.125");
  const auto listed = run("quarantine");
  EXPECT_NE(listed.output.find("'2023-02-30' is not a valid date"), std::string::npos)
      << listed.output;
  EXPECT_NE(listed.output.find("'2023-04-31 12:00:00.000' is not a valid timestamp(3)"),
            std::string::npos)
      << listed.output;
  EXPECT_NE(listed.output.find("quarantined rows: 2"), std::string::npos) << listed.output;
}

TEST_F(Types, Tinyint1CastToAnIntegerKeepsEveryValue) {
  mysql().exec("CREATE TABLE flags (id INT PRIMARY KEY, level TINYINT(1))");
  mysql().exec("INSERT INTO flags VALUES (1, 0), (2, 1), (3, 2), (4, -5), (5, NULL)");
  write_mapping("tables:\n  - source_table: flags\n    cast: {level: smallint}\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(coalesce(level::text, 'NULL'), ',' ORDER BY id) FROM "
                        "flags"),
            "0,1,2,-5,NULL");
  run_ok();
  EXPECT_EQ(latest("flags", "chunks_differing"), "0");
}

TEST_F(Types, TargetTablesGoToTheConfiguredSchema) {
  mysql().exec("CREATE TABLE placed (id INT PRIMARY KEY, v TEXT)");
  mysql().exec("INSERT INTO placed VALUES (1, 'x')");
  {
    std::ofstream database(config_dir() / "database.yaml", std::ios::app);
    database << "  schema: mirror\n";
  }
  write_mapping("tables:\n  - source_table: placed\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT v FROM mirror.placed"), "x");
  EXPECT_EQ(run("validate").exit_code, 0);
}

TEST_F(Types, EnumsCanBecomePostgresEnumTypes) {
  mysql().exec("CREATE TABLE shirts (id INT PRIMARY KEY, size ENUM('small','medium','large') NOT "
               "NULL)");
  mysql().exec("INSERT INTO shirts VALUES (1, 'small'), (2, 'large')");
  write_mapping("tables:\n  - source_table: shirts\n    enum_as: type\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT pg_typeof(size)::text FROM shirts WHERE id = 1"), "shirts_size");
  EXPECT_EQ(pg().scalar("SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum "
                        "e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'shirts_size'"),
            "small,medium,large,");
  run_ok(); // an existing enum-typed column is no drift
  EXPECT_EQ(latest("shirts", "outcome"), "ok");
}

TEST_F(Types, SecondaryIndexesAreBuiltAfterTheFirstLoadWhenAsked) {
  mysql().exec("CREATE TABLE indexed (id INT PRIMARY KEY, email VARCHAR(50), a INT, b INT, "
               "bio TEXT, UNIQUE KEY uq_email (email), KEY idx_ab (a, b), KEY idx_bio (bio(10)))");
  mysql().exec("INSERT INTO indexed VALUES (1, 'x@y', 1, 2, 'text')");
  write_mapping("tables:\n  - source_table: indexed\n    indexes: true\n");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes "
                        "WHERE tablename = 'indexed'"),
            "indexed_idx_ab,indexed_pkey,indexed_uq_email"); // a prefix index has no twin
  // Unique in MySQL, not in the target during the sync (MySQL enforces it until the cutover).
  EXPECT_EQ(pg().scalar("SELECT indexdef LIKE '%UNIQUE%' FROM pg_indexes WHERE indexname = "
                        "'indexed_uq_email'"),
            "f");
}

TEST_F(Types, SchemaDriftFailsThatTableAndTheOthersGoOn) {
  mysql().exec("CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(10))");
  mysql().exec("CREATE TABLE b (id INT PRIMARY KEY, v VARCHAR(10))");
  mysql().exec("INSERT INTO a VALUES (1, 'x')");
  mysql().exec("INSERT INTO b VALUES (1, 'y')");
  // schema_changes: fail, the behaviour before schema changes were applied.
  write_mapping(
      "defaults:\n  schema_changes: fail\ntables:\n  - source_table: a\n  - source_table: b\n");
  run_ok();
  mysql().exec("ALTER TABLE a ADD COLUMN added INT");
  mysql().exec("ALTER TABLE b MODIFY v VARCHAR(40)");
  mysql().exec("INSERT INTO b VALUES (2, 'z')");
  pg().exec("ALTER TABLE b ALTER COLUMN v TYPE varchar(40)"); // widened on both sides: fine
  const auto result = run();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("schema drift"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("column added (integer) is in MySQL but missing in PostgreSQL"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(latest("b", "outcome"), "ok");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM b"), "2");

  mysql().exec("ALTER TABLE b MODIFY v VARCHAR(80)");
  const auto schema = run("schema");
  EXPECT_EQ(schema.exit_code, 1) << schema.output;
  EXPECT_NE(schema.output.find("CREATE TABLE \"public\".\"a\""), std::string::npos)
      << schema.output;
  EXPECT_NE(schema.output.find("DRIFT: column v: PostgreSQL type character varying(40) cannot "
                               "hold MySQL's values (needs varchar(80))"),
            std::string::npos)
      << schema.output;
}

} // namespace
} // namespace migrate::testing

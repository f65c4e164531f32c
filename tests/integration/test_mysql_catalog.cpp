// The catalog queries against a stand-in for MySQL 8.0's information_schema (views with exactly
// its documented columns, JSON reported as 'json'): nothing MariaDB-only is read, and a JSON
// column arrives as jsonb without MariaDB's json_valid() check being consulted.
#include "support.hpp"

#include <fstream>
#include <sstream>

namespace migrate::testing {
namespace {

class MysqlCatalog : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    if (!mysql().is_mariadb()) {
      GTEST_SKIP() << "a MySQL server: its own catalog is what every other test reads";
    }
    m_catalog = name() + "_is80";
    MysqlClient admin(*m_settings, "");
    admin.exec("CREATE DATABASE `" + m_catalog + "`");
    admin.exec("GRANT SELECT ON `" + m_catalog + "`.* TO " + mysql_account());
    MysqlClient catalog(*m_settings, m_catalog);
    std::ifstream file(test_data_dir() / "mysql80_catalog.sql");
    std::string line;
    std::string statement;
    while (std::getline(file, line)) {
      if (line.rfind("--", 0) == 0) {
        continue;
      }
      statement += line + "\n";
      if (!line.empty() && line.back() == ';') {
        catalog.exec(statement.substr(0, statement.size() - 2));
        statement.clear();
      }
    }
  }

  void TearDown() override {
    if (!m_catalog.empty()) {
      MysqlClient admin(*m_settings, "");
      admin.exec("DROP DATABASE IF EXISTS `" + m_catalog + "`");
    }
    TestDatabase::TearDown();
  }

  ProcessResult run() { return migrate({}, {{"MIGRATE_TEST_MYSQL_CATALOG", m_catalog}}); }

  std::string m_catalog;
};

TEST_F(MysqlCatalog, TheStandInHasOnlyMysqlColumns) {
  // The query MySQL 8.0 cannot run: CHECK_CONSTRAINTS has no TABLE_NAME there.
  EXPECT_THROW(mysql().query("SELECT TABLE_NAME FROM `" + m_catalog + "`.CHECK_CONSTRAINTS"),
               std::exception);
  mysql().exec("CREATE TABLE docs (id INT PRIMARY KEY, doc JSON)");
  EXPECT_EQ(mysql().scalar("SELECT DATA_TYPE FROM `" + m_catalog
                           + "`.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = 'doc'"),
            "json");
}

// MySQL 8.0.19+'s values, not only its column names: types without display widths but the signed
// tinyint(1), geomcollection, and a generated invisible primary key as 8.0.30+ shows it.
TEST_F(MysqlCatalog, SyncsWhatMysqlsValuesDescribe) {
  mysql().exec("CREATE TABLE shapes (id INT PRIMARY KEY, f TINYINT(1) UNSIGNED, b TINYINT(1), "
               "big BIGINT UNSIGNED, y YEAR, gc GEOMETRYCOLLECTION)");
  mysql().exec("INSERT INTO shapes VALUES (1, 200, 1, 18446744073709551615, 2024, "
               "ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 2))'))");
  mysql().exec("CREATE TABLE notes (my_row_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT INVISIBLE, "
               "body VARCHAR(20), PRIMARY KEY (my_row_id))");
  mysql().exec("INSERT INTO notes (body) VALUES ('a'), ('b')");
  EXPECT_EQ(mysql().scalar("SELECT GROUP_CONCAT(COLUMN_TYPE ORDER BY ORDINAL_POSITION) FROM `"
                           + m_catalog
                           + "`.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'shapes'"),
            "int,tinyint unsigned,tinyint(1),bigint unsigned,year,geomcollection");
  EXPECT_EQ(mysql().scalar("SELECT CONCAT(DATA_TYPE, ' ', EXTRA) FROM `" + m_catalog
                           + "`.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME = "
                             "'my_row_id'"),
            "bigint auto_increment INVISIBLE");
  write_mapping("tables:\n  shapes: {}\n  notes: {}\n");
  const auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(pg().scalar("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
                        "FROM pg_attribute WHERE attrelid = 'shapes'::regclass AND attnum > 0 "
                        "AND attname NOT LIKE '\\_migrate%'"),
            "integer,smallint,boolean,numeric(20,0),smallint,text");
  EXPECT_EQ(pg().scalar("SELECT gc FROM shapes"), "GEOMETRYCOLLECTION(POINT(1 2))");
  EXPECT_EQ(pg().scalar("SELECT string_agg(my_row_id::text || body, ',' ORDER BY my_row_id) "
                        "FROM notes"),
            "1a,2b");
  expect_same_content("shapes");
}

TEST_F(MysqlCatalog, DescribesAndSyncsThroughMysqlsCatalog) {
  mysql().exec("CREATE TABLE docs (id INT PRIMARY KEY, doc JSON, name VARCHAR(20) NOT NULL, "
               "price DECIMAL(8,2), seen TIMESTAMP(3) NULL, UNIQUE KEY u_name (name), "
               "KEY k_price (price), KEY k_prefix (name(4)))");
  mysql().exec(
      R"sql(INSERT INTO docs VALUES (1, '{"a": [1, 2]}', 'one', 1.50, '2024-01-01 00:00:00'),
                      (2, NULL, 'two', NULL, NULL), (3, '"x"', 'three', 3.25, NULL))sql");
  write_mapping("tables:\n  docs:\n    indexes: true\n");
  const auto first = run();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("(test hook)"), std::string::npos) << first.output;
  EXPECT_EQ(pg().scalar("SELECT data_type FROM information_schema.columns WHERE table_name = "
                        "'docs' AND column_name = 'doc'"),
            "jsonb");
  EXPECT_EQ(pg().scalar("SELECT doc = '{\"a\": [1, 2]}'::jsonb FROM docs WHERE id = 1"), "t");
  // B-tree indexes come through the stand-in's STATISTICS; the prefix index has no twin.
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'docs' AND indexname "
                        "<> 'docs_pkey'"),
            "2");
  mysql().exec("UPDATE docs SET price = 9 WHERE id = 2");
  const auto second = migrate("validate --checksum", {{"MIGRATE_TEST_MYSQL_CATALOG", m_catalog}});
  EXPECT_EQ(second.exit_code, 1) << second.output; // the change is not synced yet
  const auto third = run();
  ASSERT_EQ(third.exit_code, 0) << third.output;
  expect_same_content("docs");
}

} // namespace
} // namespace migrate::testing

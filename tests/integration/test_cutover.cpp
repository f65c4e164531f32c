// `migrate cutover`: after a final sync and checksum, PostgreSQL gets identities past every key,
// unique indexes and foreign keys; a second cutover changes nothing; a difference stops it before
// any DDL; --dry-run runs nothing; a row breaking a foreign key is named.
#include "support.hpp"

#include <fstream>
#include <iterator>

namespace migrate::testing {
namespace {

class Cutover : public TestDatabase {
protected:
  // Customers (renamed clients in PostgreSQL) with a unique email, orders referencing them,
  // order lines referencing orders; MySQL's counter of customer is past its rows.
  void load_fixture() {
    mysql().exec("CREATE TABLE customer (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, email "
                 "VARCHAR(50) NOT NULL, name VARCHAR(20), UNIQUE KEY email (email))");
    mysql().exec("CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id "
                 "INT, note VARCHAR(20), KEY idx_note (note), CONSTRAINT fk_orders_customer "
                 "FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE)");
    mysql().exec("CREATE TABLE order_line (order_id INT NOT NULL, line_no INT NOT NULL, qty INT, "
                 "PRIMARY KEY (order_id, line_no), CONSTRAINT fk_line_order FOREIGN KEY "
                 "(order_id) REFERENCES orders (id) ON UPDATE CASCADE)");
    mysql().exec("INSERT INTO customer (email, name) VALUES ('a@x', 'ann'), ('b@x', 'bob'), "
                 "('c@x', 'cid')");
    mysql().exec("ALTER TABLE customer AUTO_INCREMENT = 100");
    mysql().exec("INSERT INTO orders (customer_id, note) VALUES (1, 'first'), (2, 'second'), "
                 "(2, NULL)");
    mysql().exec("INSERT INTO order_line VALUES (1, 1, 5), (1, 2, 1), (3, 1, 2)");
    write_mapping("tables:\n  - source_table: customer\n    target_table: clients\n"
                  "  - source_table: orders\n  - source_table: order_line\n");
    const auto sync = migrate();
    ASSERT_EQ(sync.exit_code, 0) << sync.output;
  }

  std::string count(const std::string& sql) { return pg().scalar("SELECT count(*) " + sql); }
  std::string identities() {
    return count("FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n "
                 "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND a.attidentity <> ''");
  }
  std::string foreign_keys(bool validated) {
    return count(std::string("FROM pg_constraint WHERE contype = 'f' AND convalidated = ")
                 + (validated ? "true" : "false"));
  }
  std::string unique_indexes() {
    return count("FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON "
                 "n.oid = c.relnamespace WHERE n.nspname = 'public' AND i.indisunique AND NOT "
                 "i.indisprimary AND i.indisvalid");
  }
  void expect_no_ddl() {
    EXPECT_EQ(identities(), "0");
    EXPECT_EQ(foreign_keys(true), "0");
    EXPECT_EQ(foreign_keys(false), "0");
    EXPECT_EQ(unique_indexes(), "0");
  }
};

TEST_F(Cutover, LeavesIdentitiesPastEveryKeyWithUniqueIndexesAndValidForeignKeys) {
  load_fixture();
  const auto first = migrate("cutover");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "id next 100")) << first.output;
  EXPECT_TRUE(contains(first.output, "id next 4")) << first.output;
  EXPECT_EQ(identities(), "2");
  EXPECT_EQ(foreign_keys(true), "2");
  EXPECT_EQ(foreign_keys(false), "0");
  EXPECT_EQ(
      pg().scalar("SELECT confdeltype::text || confupdtype::text || confrelid::regclass::text "
                  "FROM pg_constraint WHERE conname = 'fk_orders_customer'"),
      // ON UPDATE left out: RESTRICT in MariaDB, NO ACTION in MySQL, and so in PostgreSQL.
      mysql().is_mariadb() ? "crclients" : "caclients");
  EXPECT_EQ(pg().scalar("SELECT confupdtype::text FROM pg_constraint WHERE conname = "
                        "'fk_line_order'"),
            "c");
  EXPECT_EQ(unique_indexes(), "1");
  EXPECT_EQ(pg().scalar("SELECT indisunique::text FROM pg_index WHERE indexrelid = "
                        "'clients_email_unique'::regclass"),
            "true");
  EXPECT_EQ(count("FROM pg_class WHERE relname = 'clients_email'"), "0"); // the sync's twin
  EXPECT_EQ(count("FROM pg_index WHERE indexrelid = 'orders_idx_note'::regclass AND indisvalid"),
            "1");
  for (const auto* table : {"customer", "orders", "order_line"}) {
    EXPECT_TRUE(contains(first.output, table)) << first.output;
  }

  // Interrupted or not, a second cutover finds everything in place.
  const auto second = migrate("cutover");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "cutover changed nothing")) << second.output;
  const auto dry = migrate("cutover --dry-run");
  EXPECT_TRUE(contains(dry.output, "0 statements printed")) << dry.output;

  // The application's first inserts get keys past MySQL's counter and past every row.
  EXPECT_EQ(pg().scalar("INSERT INTO clients (email, name) VALUES ('d@x', 'dan') RETURNING id"),
            "100");
  EXPECT_EQ(pg().scalar("INSERT INTO orders (customer_id) VALUES (100) RETURNING id"), "4");
  EXPECT_THROW(pg().exec("INSERT INTO clients (email) VALUES ('a@x')"), std::exception);
  EXPECT_THROW(pg().exec("INSERT INTO orders (customer_id) VALUES (77)"), std::exception);
}

TEST_F(Cutover, ADifferenceStopsItBeforeAnyDdl) {
  load_fixture();
  pg().exec("UPDATE clients SET name = 'edited' WHERE id = 2");
  const auto result = migrate("cutover");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "customer: DIFFERS")) << result.output;
  EXPECT_TRUE(contains(result.output, "id=2")) << result.output;
  EXPECT_TRUE(contains(result.output, "cutover stopped")) << result.output;
  expect_no_ddl();
}

TEST_F(Cutover, DryRunPrintsTheStatementsAndRunsNone) {
  load_fixture();
  const auto result = migrate("cutover --dry-run");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "ADD GENERATED BY DEFAULT AS IDENTITY (START WITH 100)"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "CREATE UNIQUE INDEX IF NOT EXISTS \"clients_email_unique\""))
      << result.output;
  EXPECT_TRUE(
      contains(result.output,
               std::string("REFERENCES \"public\".\"clients\" (\"id\") ON DELETE CASCADE ON "
                           "UPDATE ")
                   + (mysql().is_mariadb() ? "RESTRICT" : "NO ACTION") + " NOT VALID"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "VALIDATE CONSTRAINT \"fk_line_order\"")) << result.output;
  expect_no_ddl();
}

TEST_F(Cutover, ARowBreakingAForeignKeyIsNamedAndTheKeyLeftNotValid) {
  load_fixture();
  mysql().exec("SET SESSION FOREIGN_KEY_CHECKS = 0");
  mysql().exec("INSERT INTO orders (id, customer_id, note) VALUES (9, 42, 'orphan')");
  const auto html = dir() / "cutover.html";
  const auto result = migrate("cutover --html " + html.string());
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "fk_orders_customer")) << result.output;
  EXPECT_TRUE(contains(result.output, "violated by customer_id=42")) << result.output;
  std::ifstream page(html);
  const std::string written((std::istreambuf_iterator<char>(page)), {});
  EXPECT_TRUE(contains(written, "violated by customer_id=42")) << written;
  EXPECT_EQ(foreign_keys(false), "1");
  EXPECT_EQ(foreign_keys(true), "1"); // the other key is valid
  // Once the row is fixed in MySQL, the next cutover validates the key.
  mysql().exec("DELETE FROM orders WHERE id = 9");
  const auto again = migrate("cutover");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(foreign_keys(false), "0");
}

TEST_F(Cutover, ComparesDeletesOfADeletesIgnoreTableUnlessToldToKeepThem) {
  mysql().exec("CREATE TABLE tags (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, label "
               "VARCHAR(20), updated_at DATETIME(6) NOT NULL)");
  mysql().exec("INSERT INTO tags (label, updated_at) VALUES ('a', NOW(6)), ('b', NOW(6)), "
               "('c', NOW(6))");
  write_mapping("defaults:\n  lookback: 0s\ntables:\n  - source_table: tags\n"
                "    timestamp_column: updated_at\n    deletes: ignore\n");
  wait_for_next_second(mysql());
  ASSERT_EQ(migrate().exit_code, 0);
  mysql().exec("DELETE FROM tags WHERE id = 3");
  const auto kept = migrate("cutover --keep-deletes");
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM tags"), "3");
  EXPECT_TRUE(contains(kept.output, "id next 4")) << kept.output;
  const auto compared = migrate("cutover");
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  EXPECT_EQ(pg().scalar("SELECT string_agg(id::text, ',' ORDER BY id) FROM tags"), "1,2");
}

TEST_F(Cutover, SakilaEndsWithValidKeysIndexesAndSequences) {
  const auto dir = sakila_dir();
  if (!dir) {
    GTEST_SKIP() << "the shared Sakila data is not beside the project; the fixture tests cover it";
  }
  const std::map<std::string, std::string> rename = {{"\\bsakila\\b", name()}};
  load_mysql_file(*dir / "sakila-schema.sql", rename);
  load_mysql_file(*dir / "sakila-data.sql", rename);
  std::string yaml = "tables:\n";
  for (const auto& row : mysql().query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                       "TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' "
                                       "ORDER BY TABLE_NAME")) {
    yaml += "  - source_table: " + *row[0] + "\n";
  }
  write_mapping(yaml);
  const auto sync = migrate();
  ASSERT_EQ(sync.exit_code, 0) << sync.output;
  const auto first = migrate("cutover");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto mysql_keys = mysql().scalar("SELECT COUNT(*) FROM information_schema."
                                         "REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = "
                                         "DATABASE()");
  EXPECT_EQ(foreign_keys(true), mysql_keys);
  EXPECT_EQ(foreign_keys(false), "0");
  EXPECT_EQ(count("FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON "
                  "n.oid = c.relnamespace WHERE n.nspname = 'public' AND NOT i.indisvalid"),
            "0");
  EXPECT_EQ(unique_indexes(),
            mysql().scalar("SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM "
                           "information_schema.STATISTICS WHERE TABLE_SCHEMA = "
                           "DATABASE() AND NON_UNIQUE = 0 AND INDEX_NAME <> "
                           "'PRIMARY'"));
  const auto max_actor = std::stoll(pg().scalar("SELECT max(actor_id) FROM actor"));
  const auto counter = std::stoll(mysql().scalar(
      "SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
      "TABLE_NAME = 'actor'"));
  const auto second = migrate("cutover");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "cutover changed nothing")) << second.output;
  const auto id = std::stoll(pg().scalar("INSERT INTO actor (first_name, last_name, last_update) "
                                         "VALUES ('NEW', 'ACTOR', now()) RETURNING actor_id"));
  EXPECT_GT(id, max_actor);
  EXPECT_GE(id, counter);
}

} // namespace
} // namespace migrate::testing

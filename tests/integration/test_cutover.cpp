// `migrate cutover`: after a final sync and checksum, PostgreSQL gets identities past every key,
// unique indexes and foreign keys, and what MySQL does for the application (defaults, NOT NULLs,
// ON UPDATE, checks, unique keys without case); a cut-over table is never synced again until
// --revert; a difference stops it before any DDL; --dry-run lists blockers and runs nothing; a row
// breaking a foreign key is named.
#include "support.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

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
  // Customers with a case-insensitive unique email, a column MySQL defaults and one added during
  // the parallel run (NOT NULL DEFAULT 0, nullable in PostgreSQL until the cutover); orders with
  // an ON UPDATE timestamp; order lines with a CHECK.
  void load_application_fixture() {
    mysql().exec("CREATE TABLE customer (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, email "
                 "VARCHAR(50) NOT NULL, name VARCHAR(20), loyalty_tier VARCHAR(10) NOT NULL "
                 "DEFAULT 'bronze', UNIQUE KEY email (email))");
    mysql().exec("CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id "
                 "INT NOT NULL, note VARCHAR(20), updated_at DATETIME(6) NOT NULL DEFAULT "
                 "CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), CONSTRAINT "
                 "fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id))");
    mysql().exec("CREATE TABLE order_line (order_id INT NOT NULL, line_no INT NOT NULL, qty INT "
                 "NOT NULL, PRIMARY KEY (order_id, line_no), CONSTRAINT qty_positive CHECK (qty "
                 "> 0))");
    mysql().exec("INSERT INTO customer (email, name) VALUES ('a@x', 'ann'), ('b@x', 'bob')");
    mysql().exec("INSERT INTO orders (customer_id, note, updated_at) VALUES (1, 'first', "
                 "'2026-01-01 00:00:00'), (2, 'second', '2026-01-01 00:00:00')");
    mysql().exec("INSERT INTO order_line VALUES (1, 1, 5), (2, 1, 1)");
    write_mapping("tables:\n  - source_table: customer\n    target_table: clients\n"
                  "  - source_table: orders\n  - source_table: order_line\n");
    const auto sync = migrate();
    ASSERT_EQ(sync.exit_code, 0) << sync.output;
    mysql().exec("ALTER TABLE customer ADD COLUMN points INT NOT NULL DEFAULT 0");
    const auto added = migrate();
    ASSERT_EQ(added.exit_code, 0) << added.output;
    ASSERT_EQ(pg().scalar("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = "
                          "'clients'::regclass AND attname = 'points'"),
              "false");
  }

  // The JSON document migrate printed (the line that opens with `first_key`), queried by Python.
  std::string json_eval(const std::string& output,
                        const std::string& first_key,
                        const std::string& expression) {
    std::string document;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("{\"" + first_key + "\"", 0) == 0) {
        document = line;
      }
    }
    EXPECT_FALSE(document.empty()) << output;
    return testing::json_eval(dir() / "document.json", document, expression);
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

  // A second cutover leaves the cut-over tables as they are.
  const auto second = migrate("cutover");
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "nothing to do: every table is cut over already"))
      << second.output;
  EXPECT_TRUE(contains(second.output, "left as it is")) << second.output;
  const auto dry = migrate("cutover --dry-run");
  EXPECT_TRUE(contains(dry.output, "customer: cut over at ")) << dry.output;
  EXPECT_TRUE(contains(dry.output, "0 blockers, 0 statements")) << dry.output;

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
  const auto again = migrate("cutover");
  EXPECT_TRUE(contains(again.output, "nothing to do")) << again.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM tags"), "3");
  // Handed back, the next cutover compares the deletes.
  const auto reverted = migrate("cutover --revert tags");
  ASSERT_EQ(reverted.exit_code, 0) << reverted.output;
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
  const auto id = std::stoll(pg().scalar("INSERT INTO actor (first_name, last_name, last_update) "
                                         "VALUES ('NEW', 'ACTOR', now()) RETURNING actor_id"));
  EXPECT_GT(id, max_actor);
  EXPECT_GE(id, counter);
}

// The acceptance of a cutover: the application writes to PostgreSQL, a timer left on runs the
// sync, and nothing the application wrote is lost; the run fails naming the tables; --revert hands
// them back.
TEST_F(Cutover, ATimerLeftOnAfterTheCutoverKeepsEveryApplicationRowAndFailsLoudly) {
  load_application_fixture();
  mysql().exec("INSERT INTO orders (customer_id, note) VALUES (1, 'x'), (1, 'y')");
  ASSERT_EQ(migrate().exit_code, 0);
  mysql().exec("DELETE FROM orders WHERE note = 'y'");
  const auto cutover = migrate("cutover --json");
  ASSERT_EQ(cutover.exit_code, 0) << cutover.output;
  EXPECT_EQ(json_eval(cutover.output, "run", "d['outcome']"), "done");
  EXPECT_EQ(json_eval(cutover.output, "run", "[t['deleted'] for t in d['tables']]"), "[0, 1, 0]");
  EXPECT_EQ(json_eval(cutover.output, "run", "d['tables'][1]['result']"), "cut over");
  EXPECT_EQ(pg().scalar("INSERT INTO clients (email, name) VALUES ('new@x', 'app') RETURNING id"),
            "3");
  pg().exec("INSERT INTO orders (customer_id, note) VALUES (3, 'by the app')");
  pg().exec("UPDATE orders SET note = 'changed by the app' WHERE id = 1");

  const auto timer = migrate();
  EXPECT_EQ(timer.exit_code, 1) << timer.output;
  for (const auto* table : {"customer", "orders", "order_line"}) {
    EXPECT_TRUE(contains(timer.output, std::string("table=") + table)) << timer.output;
  }
  EXPECT_TRUE(contains(timer.output, "not synced")) << timer.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM clients WHERE email = 'new@x'"), "1");
  EXPECT_EQ(pg().scalar("SELECT string_agg(note, ',' ORDER BY id) FROM orders"),
            "changed by the app,second,x,by the app");
  const auto repair = migrate("validate --checksum --repair --table orders");
  EXPECT_NE(repair.exit_code, 0) << repair.output;
  EXPECT_TRUE(contains(repair.output, "not repaired")) << repair.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM orders"), "4");

  const auto history = migrate("history");
  EXPECT_TRUE(contains(history.output, "cutover --config")) << history.output;
  EXPECT_TRUE(contains(history.output, "orders: done")) << history.output;

  const auto reverted = migrate("cutover --revert customer orders order_line");
  ASSERT_EQ(reverted.exit_code, 0) << reverted.output;
  EXPECT_EQ(foreign_keys(true), "0");
  EXPECT_EQ(unique_indexes(), "0");
  const auto synced = migrate();
  EXPECT_EQ(synced.exit_code, 0) << synced.output;
  expect_same_content("orders");
}

TEST_F(Cutover, GivesTheApplicationMysqlsDefaultsOnUpdateChecksAndCaseInsensitiveKeys) {
  load_application_fixture();
  const auto cutover = migrate("cutover");
  ASSERT_EQ(cutover.exit_code, 0) << cutover.output;
  // Defaults, and the NOT NULL of a column added during the parallel run.
  EXPECT_EQ(pg().scalar("INSERT INTO clients (email) VALUES ('c@x') RETURNING loyalty_tier || '/' "
                        "|| points"),
            "bronze/0");
  EXPECT_THROW(pg().exec("INSERT INTO clients (email, points) VALUES ('d@x', NULL)"),
               std::exception);
  // ON UPDATE CURRENT_TIMESTAMP(6), and CURRENT_TIMESTAMP(6) as a default.
  pg().exec("UPDATE orders SET note = 'moved' WHERE id = 1");
  EXPECT_EQ(pg().scalar("SELECT (updated_at > '2026-06-01')::text FROM orders WHERE id = 1"),
            "true");
  EXPECT_EQ(pg().scalar("SELECT updated_at::text FROM orders WHERE id = 2"), "2026-01-01 00:00:00");
  pg().exec("UPDATE orders SET note = 'second' WHERE id = 2"); // no change: no new time
  EXPECT_EQ(pg().scalar("SELECT updated_at::text FROM orders WHERE id = 2"), "2026-01-01 00:00:00");
  EXPECT_EQ(pg().scalar("INSERT INTO orders (customer_id) VALUES (1) RETURNING (updated_at IS NOT "
                        "NULL)::text"),
            "true");
  // A unique key MySQL compares without case, and a CHECK.
  EXPECT_THROW(pg().exec("INSERT INTO clients (email) VALUES ('A@X')"), std::exception);
  EXPECT_THROW(pg().exec("INSERT INTO order_line VALUES (1, 2, -1)"), std::exception);
  pg().exec("INSERT INTO order_line VALUES (1, 2, 3)");
}

TEST_F(Cutover, DryRunListsEveryBlockerAndEffectAndJsonSaysTheSame) {
  load_application_fixture();
  mysql().exec("INSERT INTO customer (email, name) VALUES ('q@x', CONCAT('a', CHAR(0), 'b'))");
  mysql().exec("INSERT INTO order_line VALUES (1, 2, 1), (1, 3, 1), (1, 4, 1)");
  ASSERT_EQ(migrate().exit_code, 0);                         // the row goes to the quarantine
  mysql().exec("DELETE FROM order_line WHERE order_id = 2"); // the final sync deletes it
  pg().exec("INSERT INTO order_line VALUES (7, 1, 1)"); // PostgreSQL holds what MySQL never had
  mysql().exec("SET SESSION FOREIGN_KEY_CHECKS = 0");
  mysql().exec("INSERT INTO orders (id, customer_id, note) VALUES (9, 42, 'orphan')");
  mysql().exec("CREATE VIEW big_orders AS SELECT * FROM orders WHERE id > 1");
  ASSERT_EQ(migrate("--table orders").exit_code, 0);

  const auto dry = migrate("cutover --dry-run");
  EXPECT_EQ(dry.exit_code, 1) << dry.output;
  for (const auto* line :
       {"BLOCKER: 1 row in quarantine (id=3)",
        "BLOCKER: 1 row (order_id=7,line_no=1) in PostgreSQL never came from MySQL",
        "BLOCKER: foreign key fk_orders_customer cannot be validated: rows customer_id=42",
        "effect: the final sync deletes 1 row (order_id=2,line_no=1)",
        "effect: default 'bronze'::",
        "effect: NOT NULL on points",
        "effect: ON UPDATE CURRENT_TIMESTAMP on updated_at",
        "effect: check (",
        "(lower(\"email\")): case-insensitive in MySQL",
        "view big_orders",
        "users, roles and grants"}) {
    EXPECT_TRUE(contains(dry.output, line)) << line << "\n" << dry.output;
  }
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM order_line"), "6"); // nothing written
  EXPECT_EQ(foreign_keys(false), "0");

  const auto json = migrate("cutover --dry-run --json");
  EXPECT_EQ(json_eval(json.output, "tables", "len(d['tables'])"), "3");
  EXPECT_EQ(json_eval(json.output, "tables", "sum(len(t['blockers']) for t in d['tables'])"), "3");
  EXPECT_EQ(json_eval(json.output, "tables", "'view big_orders' in d['not_moved']"), "True");

  // The cutover stops at the checksum, says so in JSON, and is recorded; no table is cut over.
  const auto html = dir() / "stopped.html";
  const auto stopped = migrate("cutover --json --html " + html.string());
  EXPECT_EQ(stopped.exit_code, 1) << stopped.output;
  EXPECT_EQ(json_eval(stopped.output, "run", "d['outcome'][:8]"), "stopped:");
  EXPECT_EQ(json_eval(stopped.output, "run", "d['tables'][2]['final_sync'][-9:]"), "0 deleted")
      << stopped.output;
  EXPECT_EQ(json_eval(stopped.output, "run", "d['tables'][0]['result'][:12]"), "not cut over");
  std::ifstream page(html);
  const std::string written((std::istreambuf_iterator<char>(page)), {});
  EXPECT_TRUE(contains(written, "migrate cutover: stopped")) << written;
  EXPECT_EQ(migrate("--table orders").exit_code, 0); // still synced
}

} // namespace
} // namespace migrate::testing

// Ways a run could end "ok" with rows missing, or leave a table that can never sync again: a target
// dropped or emptied under a stored position, late commits, wide tables, positions moving back,
// resumed passes, names PostgreSQL would cut, nullable keys, and configuration read wrongly.
#include "support.hpp"

#include <chrono>
#include <thread>

namespace migrate::testing {
namespace {

using namespace std::chrono_literals;

class NeverLoseRows : public TestDatabase {
protected:
  void create_items() {
    mysql().exec("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, payload VARCHAR(100) NOT NULL, "
                 "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE "
                 "CURRENT_TIMESTAMP(6))");
  }

  void map_items(const std::string& settings = {}) {
    write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                  + settings);
  }

  ProcessResult run_ok(const std::string& args = {},
                       const std::map<std::string, std::string>& env = {}) {
    auto result = migrate(args, env);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result;
  }

  bool pg_table_exists(const std::string& name, const std::string& schema = "public") {
    return pg().scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                       "c.relnamespace WHERE n.nspname = '"
                       + schema + "' AND c.relname = '" + name + "'")
           == "1";
  }
};

// ---- 1. a position belongs to the target it was taken on ----

TEST_F(NeverLoseRows, ADroppedTargetGetsEveryRowAgainNotOnlyRecentOnes) {
  create_items();
  insert_items(1, 3, "NOW(6) - INTERVAL 1 DAY");
  map_items();
  run_ok();
  pg().exec("DROP TABLE items");
  insert_items(4, 4, "NOW(6)");
  wait_for_next_second(mysql());

  const auto result = run_ok();
  EXPECT_TRUE(contains(result.output, "is void: the target table did not exist")) << result.output;
  EXPECT_EQ(latest_run("items").at("mode"), "initial");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items"), "4");
  expect_same_content("items");
}

TEST_F(NeverLoseRows, AnEmptiedTargetGetsEveryRowAgain) {
  create_items();
  insert_items(1, 3, "NOW(6) - INTERVAL 1 DAY");
  map_items();
  run_ok();
  pg().exec("TRUNCATE items");
  run_ok();
  EXPECT_EQ(latest_run("items").at("mode"), "initial");
  expect_same_content("items");
}

TEST_F(NeverLoseRows, ATargetRecreatedWithSomeRowsIsNotTrustedWithTheOldPosition) {
  create_items();
  insert_items(1, 50, "NOW(6) - INTERVAL 1 DAY");
  map_items();
  run_ok();
  // Restored from an older copy: another table of the same name, holding one row.
  pg().exec("ALTER TABLE items RENAME TO items_old");
  pg().exec("CREATE TABLE items (LIKE items_old INCLUDING ALL)");
  pg().exec("ALTER TABLE items OWNER TO " + pg_role());
  pg().exec("INSERT INTO items SELECT * FROM items_old WHERE id = 1");
  pg().exec("DROP TABLE items_old");

  const auto result = run_ok();
  EXPECT_TRUE(contains(result.output, "dropped and created again")) << result.output;
  expect_same_content("items");
}

// ---- 2. late commits with the built-in defaults ----

TEST_F(NeverLoseRows, AnOpenTransactionHoldsTheUpperBoundBelowItsStart) {
  create_items();
  insert_items(1, 1, "NOW(6) - INTERVAL 1 DAY");
  map_items("    lookback: 0s\n"); // only the open-transaction bound can save the late row
  run_ok();

  MysqlClient late(*m_settings, name());
  late.exec("START TRANSACTION");
  late.exec("UPDATE items SET payload = 'committed late' WHERE id = 1"); // stamped now
  std::this_thread::sleep_for(1100ms);
  mysql().exec("INSERT INTO items (id, payload) VALUES (2, 'committed at once')");
  wait_for_next_second(mysql());
  const auto held = run_ok(); // must not move its position past the open transaction's row
  // Held back beyond the lookback: said on this very run, with the transaction's connection.
  EXPECT_TRUE(contains(held.output, "an open transaction (MySQL connection ")) << held.output;
  EXPECT_TRUE(contains(held.output, ", open for ")) << held.output;
  // status and validate say why the table is behind.
  EXPECT_TRUE(contains(migrate("status").output, "items: an open transaction (MySQL connection "));
  const auto validated = migrate("validate");
  EXPECT_TRUE(contains(validated.output, "the last run: an open transaction")) << validated.output;
  late.exec("COMMIT");
  wait_for_next_second(mysql());
  run_ok();
  expect_same_content("items");
}

TEST_F(NeverLoseRows, WithoutProcessPrivilegeTheDefaultLookbackStillMovesALateCommit) {
  create_items();
  insert_items(1, 1, "NOW(6) - INTERVAL 1 DAY");
  const auto user = name().substr(0, 20) + "_np";
  mysql().exec("CREATE USER '" + user + "'@'%' IDENTIFIED BY 'np_pw'");
  mysql().exec("GRANT SELECT ON `" + name() + "`.* TO '" + user + "'@'%'");
  const std::map<std::string, std::string> env = {{"MIGRATE_MYSQL_USER", user},
                                                  {"MIGRATE_MYSQL_PASSWORD", "np_pw"}};
  map_items(); // lookback and safety_lag unset
  run_ok({}, env);

  MysqlClient late(*m_settings, name());
  late.exec("START TRANSACTION");
  late.exec("UPDATE items SET payload = 'committed late' WHERE id = 1");
  std::this_thread::sleep_for(600ms);
  mysql().exec("INSERT INTO items (id, payload) VALUES (2, 'committed at once')");
  wait_for_next_second(mysql());
  const auto first = run_ok({}, env);
  EXPECT_TRUE(contains(first.output, "PROCESS privilege")) << first.output;
  late.exec("COMMIT");
  wait_for_next_second(mysql());
  run_ok({}, env);
  mysql().exec("DROP USER '" + user + "'@'%'");
  expect_same_content("items");
}

// ---- 3. any column count MySQL allows ----

class WideTables : public NeverLoseRows, public ::testing::WithParamInterface<int> {};

TEST_P(WideTables, AreComparedValidatedAndRepaired) {
  const int columns = GetParam();
  std::string ddl = "CREATE TABLE wide (id INT NOT NULL PRIMARY KEY";
  std::string values = "n";
  for (int i = 1; i < columns; ++i) {
    ddl += ", c" + std::to_string(i) + " INT";
    values += ", n + " + std::to_string(i);
  }
  mysql().exec(ddl + ")");
  mysql().exec("INSERT INTO wide WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
               "seq WHERE n < 20) SELECT "
               + values + " FROM seq");
  write_mapping("tables:\n  - source_table: wide\n");
  run_ok();
  run_ok(); // the comparison pass
  EXPECT_EQ(latest_run("wide").at("mode"), "compare");
  const auto last = "c" + std::to_string(columns - 1);
  mysql().exec("UPDATE wide SET " + last + " = -1 WHERE id = 7");
  run_ok();
  EXPECT_EQ(latest_run("wide").at("rows_updated"), "1");
  EXPECT_EQ(pg().scalar("SELECT " + last + " FROM wide WHERE id = 7"), "-1");
  const auto checksum = run_ok("validate --checksum");
  EXPECT_TRUE(contains(checksum.output, "differing=0")) << checksum.output;
}

INSTANTIATE_TEST_SUITE_P(ColumnCounts, WideTables, ::testing::Values(100, 101, 1000));

// ---- 4. positions never move back; a resumed pass ends equal ----

TEST_F(NeverLoseRows, ALookbackNeverMovesTheStoredPositionBack) {
  create_items();
  insert_items(1, 5000, "NOW(6) - INTERVAL 30 MINUTE");
  map_items("    lookback: 1h\n    commit_rows: 1000\n    batch_size: 500\n");
  run_ok();
  const auto after_first = stored_position("items");
  ASSERT_FALSE(after_first.empty());
  run_ok(); // re-reads the 5000 rows of the last hour, all behind the stored position
  EXPECT_EQ(latest_run("items").at("rows_read"), "5000");
  EXPECT_EQ(stored_position("items"), after_first);
}

TEST_F(NeverLoseRows, AResumedFullPassLeavesTheTableEqualInTheSameRun) {
  mysql().exec("CREATE TABLE plain (id INT NOT NULL PRIMARY KEY, payload VARCHAR(100) NOT NULL)");
  mysql().allow_recursion(10000000);
  mysql().exec("INSERT INTO plain WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
               "seq WHERE n < 200000) SELECT n, CONCAT('row ', n) FROM seq");
  write_mapping("tables:\n  - source_table: plain\n    commit_rows: 2000\n    batch_size: 500\n");
  ASSERT_TRUE(kill_after_next_commit("plain")) << "the run finished before it could be killed";
  ASSERT_NE(stored_position("plain").find("initial"), std::string::npos);
  // Rows the interrupted pass already copied change and go away.
  mysql().exec("UPDATE plain SET payload = 'changed after the copy' WHERE id = 1");
  mysql().exec("DELETE FROM plain WHERE id = 2");

  run_ok();
  EXPECT_EQ(latest_run("plain").at("mode"), "full+compare");
  expect_same_content("plain");
}

// ---- 5. tables that could never sync again ----

TEST_F(NeverLoseRows, AColumnNameLongerThanPostgresKeepsIsRefusedBeforeAnythingIsCreated) {
  const std::string long_name(64, 'x'); // MySQL allows 64 characters, PostgreSQL keeps 63 bytes
  mysql().exec("CREATE TABLE longname (id INT NOT NULL PRIMARY KEY, " + long_name + " INT)");
  mysql().exec("INSERT INTO longname VALUES (1, 10)");
  write_mapping("tables:\n  - source_table: longname\n");
  const auto refused = migrate();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "64 bytes")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "rename")) << refused.output;
  EXPECT_FALSE(pg_table_exists("longname"));

  write_mapping("tables:\n  - source_table: longname\n    transformations:\n      - column: "
                + long_name + "\n        type: rename\n        to: short_name\n");
  run_ok();
  run_ok(); // no drift on the second run
  EXPECT_EQ(pg().scalar("SELECT short_name FROM longname WHERE id = 1"), "10");
}

TEST_F(NeverLoseRows, ANullableKeyColumnIsRefusedBeforeAnythingIsCreated) {
  mysql().exec("CREATE TABLE nk (id INT NOT NULL PRIMARY KEY, u INT NULL UNIQUE)");
  mysql().exec("INSERT INTO nk VALUES (1, NULL), (2, 5)");
  write_mapping("tables:\n  - source_table: nk\n    primary_key: u\n");
  const auto refused = migrate();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "nullable")) << refused.output;
  EXPECT_FALSE(pg_table_exists("nk"));
}

TEST_F(NeverLoseRows, AKeyThatIsNotUniqueLeavesNoHalfBuiltTable) {
  mysql().exec("CREATE TABLE dup (id INT NOT NULL PRIMARY KEY, grp INT NOT NULL)");
  mysql().exec("INSERT INTO dup VALUES (1, 7), (2, 7)");
  write_mapping("tables:\n  - source_table: dup\n    primary_key: grp\n");
  const auto refused = migrate();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "was dropped")) << refused.output;
  EXPECT_FALSE(pg_table_exists("dup"));
  write_mapping("tables:\n  - source_table: dup\n");
  run_ok();
  expect_same_content("dup");
}

// ---- 6. configuration read as written ----

TEST_F(NeverLoseRows, AKeyGivenTwiceIsAConfigurationErrorWithBothLines) {
  create_items();
  write_mapping("tables:\n  - source_table: items\n    primary_key: id\n"
                "    timestamp_column: updated_at\n    primary_key: payload\n");
  const auto result = migrate();
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_TRUE(contains(result.output, "table_mapping.yaml:5")) << result.output;
  EXPECT_TRUE(contains(result.output, "line 3")) << result.output;
}

TEST_F(NeverLoseRows, SchemaDotTableCreatesTheTableInThatSchema) {
  create_items();
  insert_items(1, 3, "NOW(6) - INTERVAL 1 DAY");
  write_mapping("tables:\n  - source_table: items\n    target_table: other.tbl\n"
                "    timestamp_column: updated_at\n");
  run_ok();
  EXPECT_TRUE(pg_table_exists("tbl", "other"));
  EXPECT_FALSE(pg_table_exists("other.tbl"));
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM other.tbl"), "3");
  run_ok("validate");
}

// A role that owns its schema but may not create schemas in the database, as on Aurora.
TEST_F(NeverLoseRows, ARoleThatOnlyOwnsItsSchemaCanCreateTablesInIt) {
  create_items();
  insert_items(1, 3, "NOW(6) - INTERVAL 1 DAY");
  const auto role = name().substr(0, 20) + "_owner";
  pg().exec("CREATE ROLE " + role + " LOGIN PASSWORD 'owner_pw'");
  pg().exec("REVOKE CREATE ON DATABASE " + name() + " FROM PUBLIC");
  pg().exec("CREATE SCHEMA app AUTHORIZATION " + role);
  write_mapping("tables:\n  - source_table: items\n    target_table: app.items\n"
                "    timestamp_column: updated_at\n");
  run_ok({}, {{"MIGRATE_PG_USER", role}, {"MIGRATE_PG_PASSWORD", "owner_pw"}});
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM app.items"), "3");
  pg().exec("DROP SCHEMA app CASCADE");
  pg().exec("DROP OWNED BY " + role);
  pg().exec("DROP ROLE " + role);
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

// One value's size is not bounded by the 4 MiB chunk cut: the run holds it as MySQL sent it and
// once as COPY text (bytea hex: twice its size), and no more.
TEST_F(NeverLoseRows, AFiftyMegabyteBlobTakesAboutThreeTimesItsSizeInMemory) {
  const auto packet = mysql().scalar("SELECT @@GLOBAL.max_allowed_packet");
  mysql().exec("SET GLOBAL max_allowed_packet = 268435456");
  {
    MysqlClient client(*m_settings, name()); // a new session sees the new packet size
    client.exec("CREATE TABLE blobs (id INT NOT NULL PRIMARY KEY, data LONGBLOB)");
    client.exec("INSERT INTO blobs VALUES (1, REPEAT('x', 50000000)), (2, 'small')");
  }
  write_mapping("tables:\n  - source_table: blobs\n");
  auto child = start_migrate({});
  const int exit_code = child->wait();
  mysql().exec("SET GLOBAL max_allowed_packet = " + packet);
  ASSERT_EQ(exit_code, 0);
  EXPECT_EQ(pg().scalar("SELECT encode(sha256(data), 'hex') FROM blobs WHERE id = 1"),
            mysql().scalar("SELECT SHA2(data, 256) FROM blobs WHERE id = 1"));
  const long limit_kib = 4 * 50000000L / 1024; // about 190 MiB
  EXPECT_LT(child->max_rss_kib(), limit_kib) << "peak memory " << child->max_rss_kib() << " KiB";
}

} // namespace
} // namespace migrate::testing

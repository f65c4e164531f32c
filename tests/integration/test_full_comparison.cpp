// Full comparison by chunk digests: tables without a timestamp column, deletes (delete and soft),
// --full, --since, and the guard against deleting everything on an empty read.
#include "support.hpp"

namespace migrate::testing {
namespace {

class FullComparison : public TestDatabase {
protected:
  void run_ok(const std::string& args = {}) {
    const auto result = migrate(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  long long latest(const std::string& table, const std::string& column) {
    return std::stoll(latest_run(table).at(column));
  }

  // A table of every kind of value the comparison normalises, without a timestamp column.
  void create_wide(const std::string& key_definition) {
    mysql().allow_recursion(1000000);
    mysql().exec(
        "CREATE TABLE wide (" + key_definition
        + ", small TINYINT, flag TINYINT(1), big BIGINT UNSIGNED, amount DECIMAL(12,3), "
          "ratio FLOAT, measure DOUBLE, label VARCHAR(40), note TEXT CHARACTER SET latin1, "
          "born DATE, seen DATETIME(6), stamped TIMESTAMP(3) NULL, span TIME(2), yr YEAR, "
          "kind ENUM('a','b',''), tags SET('x','y','z'), raw VARBINARY(16), bits BIT(5), "
          "doc JSON, PRIMARY KEY (id))");
    mysql().exec(
        "INSERT INTO wide WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq "
        "WHERE n < 1000) SELECT "
        + std::string(key_definition.find("VARCHAR") != std::string::npos ? "CONCAT('k-', n, 'é')"
                                                                          : "n * 3")
        + ", n % 128 - 64, n % 2, 18446744073709551615 - n, n * 1.125, n / 7, n / 3.0e10, "
          "CONCAT('Label ', n, IF(n % 5 = 0, ' 😀', '')), IF(n % 4 = 0, NULL, CONCAT('Café ', n)), "
          "'2020-01-01' + INTERVAL n DAY, '2020-01-01 00:00:00.123456' + INTERVAL n MINUTE, "
          "'2021-06-01 12:00:00.5' + INTERVAL n HOUR, SEC_TO_TIME(n * 997 - 300000) + INTERVAL "
          "0.25 "
          "SECOND, 1901 + n % 255, ELT(1 + n % 3, 'a', 'b', ''), ELT(1 + n % 4, '', 'x', 'x,z', "
          "'x,y,z'), UNHEX(LPAD(HEX(n), 8, '0')), n % 32, JSON_OBJECT('n', n, 'list', "
          "JSON_ARRAY(1, 2)) FROM seq");
    write_mapping("tables:\n  - source_table: wide\n    chunk_rows: 100\n");
  }

  void change_wide_and_expect_exact_counts(const std::string& key_of_3) {
    mysql().exec("UPDATE wide SET label = 'changed' WHERE yr IN (1902, 1903)"); // ~8 rows
    const auto updated =
        std::stoll(mysql().scalar("SELECT COUNT(*) FROM wide WHERE label = 'changed'"));
    mysql().exec("DELETE FROM wide WHERE yr = 1950"); // ~4 rows
    const auto deleted = std::stoll(pg().scalar("SELECT count(*) FROM wide WHERE yr = 1950"));
    mysql().exec("INSERT INTO wide (id, label) VALUES " + key_of_3);
    run_ok();
    EXPECT_EQ(latest("wide", "rows_inserted"), 3);
    EXPECT_EQ(latest("wide", "rows_updated"), updated);
    EXPECT_EQ(latest("wide", "rows_deleted"), deleted);
    EXPECT_GT(deleted, 0);
    EXPECT_GT(latest("wide", "chunks_differing"), 0);
    expect_same_content("wide");
    run_ok();
    EXPECT_EQ(latest("wide", "rows_read"), 0);
    EXPECT_EQ(latest("wide", "chunks_differing"), 0);
  }
};

TEST_F(FullComparison, IntegerKeyTableWithoutTimestampSeesInsertsUpdatesAndDeletes) {
  create_wide("id INT NOT NULL");
  run_ok();
  expect_same_content("wide");
  run_ok(); // equal data gives equal digests in both engines: no row is shipped
  EXPECT_EQ(latest("wide", "rows_read"), 0);
  EXPECT_EQ(latest("wide", "chunks_differing"), 0);
  EXPECT_GE(latest("wide", "chunks_compared"), 10);
  change_wide_and_expect_exact_counts("(1, 'new'), (2, 'new'), (100000, 'new')");
}

TEST_F(FullComparison, TextKeyTableIsChunkedByKeyHash) {
  create_wide("id VARCHAR(20) NOT NULL");
  run_ok();
  run_ok();
  EXPECT_EQ(latest("wide", "rows_read"), 0);
  EXPECT_EQ(latest("wide", "chunks_differing"), 0);
  change_wide_and_expect_exact_counts("('new-1', 'new'), ('NEW-2', 'new'), ('ñ-3', 'new')");
}

TEST_F(FullComparison, CompositeKeyTableWithoutTimestampIsComparedAndRepaired) {
  mysql().exec("CREATE TABLE pairs (a INT NOT NULL, b VARCHAR(10) NOT NULL, v INT, "
               "PRIMARY KEY (a, b))");
  mysql().exec("INSERT INTO pairs WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
               "seq WHERE n < 600) SELECT n % 50, CONCAT('k', n), n FROM seq");
  write_mapping("tables:\n  - source_table: pairs\n    chunk_rows: 40\n");
  run_ok();
  run_ok();
  EXPECT_EQ(latest("pairs", "rows_read"), 0);
  mysql().exec("DELETE FROM pairs WHERE a = 7 AND b = 'k7'");
  mysql().exec("UPDATE pairs SET v = -1 WHERE a = 3 AND b = 'k53'");
  mysql().exec("INSERT INTO pairs VALUES (3, 'new', 0)");
  run_ok();
  EXPECT_EQ(latest("pairs", "rows_deleted"), 1);
  EXPECT_EQ(latest("pairs", "rows_updated"), 1);
  EXPECT_EQ(latest("pairs", "rows_inserted"), 1);
  expect_same_content("pairs");
}

class TimestampDeletes : public FullComparison {
protected:
  void create_items(const std::string& deletes) {
    mysql().exec(
        "CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20), updated_at "
        "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))");
    mysql().exec("INSERT INTO items (id, payload, updated_at) WITH RECURSIVE seq (n) AS (SELECT 1 "
                 "UNION ALL SELECT n + 1 FROM seq WHERE n < 500) SELECT n, CONCAT('p', n), "
                 "NOW(6) - INTERVAL 1 DAY FROM seq");
    write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                  "    safety_lag: 0s\n    lookback: 0s\n    chunk_rows: 50\n    deletes: "
                  + deletes + "\n");
  }
};

TEST_F(TimestampDeletes, DeletePolicyRemovesRowsGoneFromTheSource) {
  create_items("delete");
  run_ok();
  mysql().exec("DELETE FROM items WHERE id IN (7, 250, 499)");
  run_ok();
  EXPECT_EQ(latest("items", "rows_deleted"), 3);
  EXPECT_EQ(latest_run("items").at("mode"), "incremental+compare");
  expect_same_content("items");
  EXPECT_EQ(migrate("validate").exit_code, 0);
}

TEST_F(TimestampDeletes, SoftPolicyMarksRowsAndUnmarksThemWhenTheyReturn) {
  create_items("soft");
  run_ok();
  mysql().exec("DELETE FROM items WHERE id IN (7, 250)");
  run_ok();
  EXPECT_EQ(latest("items", "rows_deleted"), 2);
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE deleted_at IS NOT NULL"), "2");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items"), "500");
  EXPECT_EQ(migrate("validate").exit_code, 0); // marked rows do not count as present
  run_ok();
  EXPECT_EQ(latest("items", "rows_deleted"), 0); // already marked: not marked again
  mysql().exec("INSERT INTO items (id, payload) VALUES (7, 'back')");
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT payload || ':' || (deleted_at IS NULL) FROM items WHERE id = 7"),
            "back:true");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE deleted_at IS NOT NULL"), "1");
}

TEST_F(TimestampDeletes, ComparisonFindsALateCommitBehindTheWatermark) {
  create_items("delete");
  run_ok();
  mysql().exec("INSERT INTO items VALUES (1000, 'late', NOW(6) - INTERVAL 2 HOUR)");
  run_ok();
  EXPECT_EQ(latest("items", "rows_inserted"), 1);
  expect_same_content("items");
}

TEST_F(TimestampDeletes, FullResyncRepairsTheTargetWithoutDroppingIt) {
  create_items("ignore");
  run_ok();
  pg().exec("UPDATE items SET payload = 'corrupted' WHERE id = 3");
  pg().exec("DELETE FROM items WHERE id = 4");
  pg().exec("INSERT INTO items VALUES (9999, 'stray', now())");
  run_ok("--table items --full");
  EXPECT_EQ(latest("items", "rows_inserted"), 1);
  EXPECT_EQ(latest("items", "rows_updated"), 1);
  EXPECT_EQ(latest("items", "rows_deleted"), 0); // deletes: ignore keeps the stray row
  EXPECT_EQ(pg().scalar("SELECT payload FROM items WHERE id = 3"), "p3");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE id = 9999"), "1");
  // The next run goes on from the bound the full run took, reading nothing old.
  run_ok();
  EXPECT_EQ(latest_run("items").at("mode"), "incremental+verify");
  EXPECT_EQ(latest("items", "rows_read"), 0);
}

TEST_F(TimestampDeletes, SinceReReadsFromAGivenPoint) {
  create_items("ignore");
  run_ok();
  run_ok("--since '2000-01-01 00:00:00'");
  EXPECT_EQ(latest("items", "rows_read"), 500);
  EXPECT_EQ(latest("items", "rows_unchanged"), 500);
  EXPECT_EQ(migrate("--since yesterday").exit_code, 2);
}

TEST_F(TimestampDeletes, ValidateChecksumFindsAChangedValueThatCountsMiss) {
  create_items("ignore");
  run_ok();
  EXPECT_EQ(migrate("validate --checksum").exit_code, 0);
  pg().exec("UPDATE items SET payload = 'tampered' WHERE id = 42");
  EXPECT_EQ(migrate("validate").exit_code, 0); // same counts
  const auto checked = migrate("validate --checksum");
  EXPECT_EQ(checked.exit_code, 1) << checked.output;
  EXPECT_NE(checked.output.find("DIFFERS"), std::string::npos) << checked.output;
  run_ok("--full");
  EXPECT_EQ(migrate("validate --checksum").exit_code, 0);
}

TEST_F(TimestampDeletes, RefusesToDeleteEverythingWhenTheSourceReadsEmpty) {
  create_items("delete");
  run_ok();
  mysql().exec("DELETE FROM items");
  const auto result = migrate();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("refusing to delete"), std::string::npos) << result.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items"), "500");
}

} // namespace
} // namespace migrate::testing

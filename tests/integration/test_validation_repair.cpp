// validate --checksum narrows differing chunks down to their rows, tells legitimate differences
// (rows changed since the last run, quarantined rows) from mismatches, stores every result in the
// state file, writes nothing to PostgreSQL without --repair, and --repair re-syncs the rows.
#include "support.hpp"

#include "migrate/state/run_lock.hpp"
#include "migrate/state/state_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>
#include <sstream>

namespace migrate::testing {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Validation : public TestDatabase {
protected:
  struct Captured {
    int exit_code = -1;
    std::string out;
    std::string err;
  };

  // The binary as the least-privilege accounts, standard output apart from the log.
  Captured run(const std::string& args) {
    const auto out = dir() / "stdout.txt";
    const auto err = dir() / "stderr.txt";
    // The variables prefix the shell, which passes them on to the binary.
    const auto result = run_command(
        "sh -c "
            + shell_quote(std::string(MIGRATE_BINARY) + " --config "
                          + shell_quote(config_dir().string()) + " --state "
                          + shell_quote(state_file().string()) + " " + args + " >"
                          + shell_quote(out.string()) + " 2>" + shell_quote(err.string())),
        run_env());
    return Captured{result.exit_code, read_text(out), read_text(err)};
  }

  void run_ok(const std::string& args = {}) {
    const auto result = migrate(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }

  // A Python expression over the JSON document (bound to `d`).
  std::string json_eval(const std::string& json, const std::string& expression) {
    const auto file = dir() / "document.json";
    std::ofstream(file) << json;
    auto result = run_command(
        "python3 -c "
        + shell_quote("import json,sys; d=json.load(sys.stdin); print((" + expression + "))")
        + " < " + shell_quote(file.string()));
    EXPECT_EQ(result.exit_code, 0) << "not JSON:\n" << json << "\n" << result.output;
    while (!result.output.empty() && result.output.back() == '\n') {
      result.output.pop_back();
    }
    return result.output;
  }

  // Every row of the target with its xmin: any write to PostgreSQL changes it.
  std::string pg_snapshot(const std::string& table) {
    return pg().scalar("SELECT string_agg(id::text || ':' || xmin::text || ':' || "
                       "coalesce(payload, 'NULL'), ',' ORDER BY id) FROM "
                       + table);
  }

  // The newest stored validation of a table, as "outcome|rows|key:difference;..."
  std::string stored_validation(const std::string& table) {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement v(db,
                        "SELECT id, outcome, mysql_rows, postgresql_rows, chunks_differing FROM "
                        "validations WHERE table_name = ? ORDER BY id DESC LIMIT 1");
    v.bind(1, table);
    if (!v.executeStep()) {
      return "none";
    }
    std::string out = v.getColumn(1).getString() + "|" + v.getColumn(2).getString() + "|"
                      + v.getColumn(3).getString() + "|" + v.getColumn(4).getString() + "|";
    SQLite::Statement rows(db,
                           "SELECT row_key, difference FROM validation_rows WHERE validation_id "
                           "= ? ORDER BY row_key");
    rows.bind(1, v.getColumn(0).getInt64());
    while (rows.executeStep()) {
      out += rows.getColumn(0).getString() + ":" + rows.getColumn(1).getString() + ";";
    }
    return out;
  }

  std::size_t stored_validations(const std::string& table) {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
    SQLite::Statement count(db, "SELECT count(*) FROM validations WHERE table_name = ?");
    count.bind(1, table);
    count.executeStep();
    return static_cast<std::size_t>(count.getColumn(0).getInt64());
  }

  // 60 rows without a timestamp column: deletes are propagated by default.
  void load_items() {
    mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20), n INT)");
    mysql().exec("INSERT INTO items SELECT seq, CONCAT('p', seq), seq * 2 FROM " + numbers(1, 60));
    write_mapping("tables:\n  - source_table: items\n    chunk_rows: 20\n");
    // The runs compare nothing afterwards: the validations stored are the tests' own.
    std::ofstream(config_dir() / "migrate.yaml", std::ios::app) << "validate_after: none\n";
    run_ok();
  }
};

TEST_F(Validation, ChecksumNamesEachDifferingRowAndWritesNothingWithoutRepair) {
  load_items();
  const auto clean = run("validate --checksum");
  ASSERT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_TRUE(contains(clean.out, "in sync")) << clean.out;

  pg().exec("UPDATE items SET payload = 'tampered' WHERE id = 7");
  pg().exec("DELETE FROM items WHERE id = 33");
  mysql().exec("DELETE FROM items WHERE id = 45"); // gone from MySQL, still in PostgreSQL
  const auto before = pg_snapshot("items");

  const auto checked = run("validate --checksum");
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "DIFFERS")) << checked.out;
  EXPECT_TRUE(contains(checked.out, "items: 3 differing rows")) << checked.out;
  // In key order, each with the chunk (key range) that holds it.
  EXPECT_TRUE(contains(checked.out,
                       "id=7   content differs    id > -21 and < 21\n"
                       "id=33  missing in target  id >= 21 and < 42\n"
                       "id=45  extra in target    id >= 42 and < 63\n"))
      << checked.out;
  EXPECT_EQ(stored_validation("items"),
            "mismatch|59|59|3|id=33:missing in target;id=45:extra in target;id=7:content "
            "differs;"); // ordered by text in SQL

  const auto json = run("validate --checksum --json");
  EXPECT_EQ(json.exit_code, 1) << json.err;
  EXPECT_EQ(json_eval(json.out,
                      "[(r['key'], r['difference']) for r in d['tables'][0]['rows']], "
                      "d['tables'][0]['result'], d['tables'][0]['outcome']"),
            "([('id=7', 'content differs'), ('id=33', 'missing in target'), ('id=45', 'extra in "
            "target')], 'DIFFERS', 'mismatch')");

  const auto counts = run("validate");
  EXPECT_EQ(counts.exit_code, 0) << counts.out; // 59 and 59: counts alone cannot see it
  EXPECT_EQ(pg_snapshot("items"), before) << "validate wrote to PostgreSQL";
  EXPECT_EQ(stored_validations("items"), 4U);

  // status shows the last validation: the counts-only one just stored.
  const auto status = run("status --json");
  EXPECT_EQ(json_eval(status.out,
                      "d['tables'][0]['last_validation']['outcome'], "
                      "d['tables'][0]['last_validation']['checksum']"),
            "('in sync', False)")
      << status.out;
  EXPECT_TRUE(contains(run("status").out, "in sync (")) << run("status").out;
}

TEST_F(Validation, RepairResyncsTheDifferingRowsAndComparesAgain) {
  load_items();
  pg().exec("UPDATE items SET payload = 'tampered', n = -1 WHERE id = 7");
  pg().exec("DELETE FROM items WHERE id = 33");
  pg().exec("INSERT INTO items (id, payload, n) VALUES (61, 'extra', 1)");
  const auto untouched = pg().scalar("SELECT xmin::text FROM items WHERE id = 8");

  const auto repaired = run("validate --checksum --repair");
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  EXPECT_TRUE(contains(repaired.out, "items: repaired 1 inserted, 1 updated, 1 deleted"))
      << repaired.out;
  EXPECT_TRUE(contains(repaired.out, "compared again: in sync")) << repaired.out;
  EXPECT_EQ(pg().scalar("SELECT payload || n FROM items WHERE id = 7"), "p714");
  EXPECT_EQ(pg().scalar("SELECT payload FROM items WHERE id = 33"), "p33");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE id = 61"), "0");
  // Rows that were equal were not written.
  EXPECT_EQ(pg().scalar("SELECT xmin::text FROM items WHERE id = 8"), untouched);
  expect_same_content("items");
  EXPECT_EQ(stored_validation("items"), "in sync|60|60|0|");

  // The result before the repair is stored too, marked as such.
  SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT group_concat(outcome || ':' || repaired, ',') FROM (SELECT "
                          "outcome, repaired FROM validations ORDER BY id)")
                .getString(),
            "mismatch:0,in sync:1");

  const auto again = run("validate --checksum --repair --json");
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  // Nothing differs: nothing to repair.
  EXPECT_EQ(json_eval(again.out, "d['tables'][0]['outcome'], 'repair' in d['tables'][0]"),
            "('in sync', False)");
}

TEST_F(Validation, TheConsoleShowsTwentyRowsAndJsonAndTheStateFileAll) {
  load_items();
  pg().exec("DELETE FROM items WHERE id BETWEEN 11 AND 35");
  const auto checked = run("validate --checksum");
  EXPECT_EQ(checked.exit_code, 1) << checked.err;
  EXPECT_TRUE(contains(checked.out, "items: 25 differing rows")) << checked.out;
  EXPECT_TRUE(contains(checked.out, "id=30  missing in target")) << checked.out;
  EXPECT_FALSE(contains(checked.out, "id=31  missing in target")) << checked.out;
  EXPECT_TRUE(contains(checked.out, "... and 5 more (all of them in --json and in the state file)"))
      << checked.out;
  const auto json = run("validate --checksum --json");
  EXPECT_EQ(json_eval(json.out, "len(d['tables'][0]['rows']), d['tables'][0]['rows'][-1]['key']"),
            "(25, 'id=35')");
  SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM validation_rows WHERE validation_id = (SELECT "
                          "max(id) FROM validations)")
                .getInt(),
            25);
}

TEST_F(Validation, RepairMarksExtraRowsDeletedWhenDeletesAreSoft) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20))");
  mysql().exec("INSERT INTO items SELECT seq, CONCAT('p', seq) FROM " + numbers(1, 10));
  write_mapping("tables:\n  - source_table: items\n    deletes: soft\n");
  run_ok();
  mysql().exec("DELETE FROM items WHERE id = 4");
  const auto counts = run("validate");
  EXPECT_EQ(counts.exit_code, 1) << counts.out;
  EXPECT_TRUE(contains(counts.out, "MISMATCH: 1 row extra in PostgreSQL")) << counts.out;
  const auto repaired = run("validate --checksum --repair");
  EXPECT_EQ(repaired.exit_code, 0) << repaired.out << repaired.err;
  EXPECT_TRUE(contains(repaired.out, "items: repaired 0 inserted, 0 updated, 1 deleted"))
      << repaired.out;
  EXPECT_EQ(pg().scalar("SELECT deleted_at IS NOT NULL FROM items WHERE id = 4"), "t");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE deleted_at IS NULL"), "9");
  const auto after = run("validate");
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_TRUE(contains(after.out, "in sync (1 soft-deleted)")) << after.out;
}

TEST_F(Validation, ATableWithoutAKeyIsLeftToItsNextRun) {
  mysql().exec("CREATE TABLE pairs (a INT, b VARCHAR(10))");
  mysql().exec("INSERT INTO pairs VALUES (1, 'x'), (1, 'x'), (2, 'y')");
  write_mapping("tables:\n  - source_table: pairs\n");
  run_ok();
  mysql().exec("UPDATE pairs SET b = 'z' WHERE a = 2");
  const auto snapshot =
      pg().scalar("SELECT string_agg(xmin::text || b, ',' ORDER BY a, b) FROM pairs");
  const auto checked = run("validate --checksum --repair");
  EXPECT_EQ(checked.exit_code, 1) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "DIFFERS: the table differs (no key names its rows)"))
      << checked.out;
  EXPECT_TRUE(contains(checked.err, "has no key: --repair leaves it to the next run"))
      << checked.err;
  EXPECT_EQ(pg().scalar("SELECT string_agg(xmin::text || b, ',' ORDER BY a, b) FROM pairs"),
            snapshot);
}

TEST_F(Validation, RowsTheMappingsWhereLeavesOutAreShownNotCounted) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20))");
  mysql().exec("INSERT INTO items SELECT seq, CONCAT('p', seq) FROM " + numbers(1, 10));
  write_mapping("tables:\n  - source_table: items\n    where: \"id <= 7\"\n");
  run_ok();
  const auto counts = run("validate");
  EXPECT_EQ(counts.exit_code, 0) << counts.out << counts.err;
  EXPECT_TRUE(contains(counts.out, "in sync (3 excluded by where)")) << counts.out;
  EXPECT_EQ(run("validate --checksum").exit_code, 0);
}

TEST_F(Validation, RepairNeedsChecksum) {
  load_items();
  const auto refused = run("validate --repair");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_TRUE(contains(refused.err, "--repair requires --checksum")) << refused.err;
}

TEST_F(Validation, RepairRefusesWhileARunHoldsTheLock) {
  load_items();
  pg().exec("DELETE FROM items WHERE id = 3");
  {
    const state::RunLock held(state_file());
    const auto refused = run("validate --checksum --repair");
    EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
    EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE id = 3"), "0");
    EXPECT_EQ(run("validate --checksum").exit_code, 1); // reading needs no lock
  }
  const auto repaired = run("validate --checksum --repair --json");
  EXPECT_EQ(repaired.exit_code, 0) << repaired.err;
  EXPECT_EQ(json_eval(repaired.out,
                      "[(t['outcome'], t['repair']['inserted'], t['repair']['deleted'], "
                      "t['repair']['before']) for t in d['tables']]"),
            "[('in sync', 1, 0, 'DIFFERS: 1 missing in target')]");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE id = 3"), "1");
}

TEST_F(Validation, RowsChangedInMysqlSinceTheLastRunAreBehindNotAMismatch) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20), "
               "updated_at DATETIME(6) NOT NULL)");
  mysql().exec("INSERT INTO items SELECT seq, CONCAT('p', seq), NOW(6) - INTERVAL 1 DAY FROM "
               + numbers(1, 10));
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                "    lookback: 0s\n");
  run_ok();
  mysql().exec("UPDATE items SET payload = 'new', updated_at = NOW(6) WHERE id = 3");
  mysql().exec("INSERT INTO items VALUES (11, 'p11', NOW(6))");

  const auto counts = run("validate");
  EXPECT_EQ(counts.exit_code, 0) << counts.out << counts.err;
  EXPECT_TRUE(contains(counts.out, "behind by 2 rows changed since the last run")) << counts.out;
  EXPECT_EQ(stored_validation("items"), "behind|11|10|0|");

  const auto checked = run("validate --checksum");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "id=11  changed since the last run")) << checked.out;
  EXPECT_TRUE(contains(checked.out, "id=3   changed since the last run")) << checked.out;
  EXPECT_FALSE(contains(checked.out, "DIFFERS")) << checked.out;

  // A change the cursor cannot explain is still a mismatch beside them.
  pg().exec("UPDATE items SET payload = 'edited' WHERE id = 5");
  const auto mixed = run("validate --checksum");
  EXPECT_EQ(mixed.exit_code, 1) << mixed.out;
  EXPECT_TRUE(contains(mixed.out, "id=5   content differs")) << mixed.out;
  EXPECT_TRUE(contains(mixed.out, "id=3   changed since the last run")) << mixed.out;
}

TEST_F(Validation, AFirstLoadStoppedOnTheWayIsUnderWayNotAMismatch) {
  mysql().exec("CREATE TABLE plain (id INT NOT NULL PRIMARY KEY, payload VARCHAR(100) NOT NULL)");
  mysql().allow_recursion(10000000);
  mysql().exec("INSERT INTO plain WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
               "seq WHERE n < 200000) SELECT n, CONCAT('row ', n) FROM seq");
  write_mapping("tables:\n  - source_table: plain\n    commit_rows: 2000\n    batch_size: 500\n");
  ASSERT_TRUE(kill_after_next_commit("plain")) << "the run finished before it could be killed";
  // The rows after the stored key are the ones the first pass has not reached (those it committed
  // after its last saved position are read again, harmlessly).
  const auto position = stored_position("plain");
  ASSERT_EQ(position.rfind("initial|", 0), 0U) << position;
  const auto key = state::decode_key(position.substr(position.rfind('|') + 1));
  ASSERT_EQ(key.size(), 1U);
  const auto left = 200000 - std::stoll(key[0]);
  ASSERT_GT(left, 0);

  const auto counts = run("validate");
  EXPECT_EQ(counts.exit_code, 0) << counts.out << counts.err;
  EXPECT_TRUE(contains(counts.out,
                       "first load under way: " + std::to_string(left) + " rows not loaded yet"))
      << counts.out;
  EXPECT_EQ(stored_validation("plain").substr(0, 14), "behind|200000|")
      << stored_validation("plain");

  // Row by row, each row the target lacks is one the first pass has not loaded.
  const auto missing = 200000 - std::stoll(pg().scalar("SELECT count(*) FROM plain"));
  const auto checked = run("validate --checksum");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_TRUE(
      contains(checked.out, std::to_string(missing) + " not loaded yet (first load under way)"))
      << checked.out;
}

TEST_F(Validation, QuarantinedRowsAreReportedAsQuarantine) {
  // A tinyint(1) of 7 cannot be a boolean: that row goes to the quarantine.
  mysql().exec("CREATE TABLE flags (id INT PRIMARY KEY, active TINYINT(1))");
  mysql().exec("INSERT INTO flags VALUES (1, 1), (2, 7), (3, 0)");
  write_mapping("tables:\n  - source_table: flags\n");
  run_ok();

  const auto counts = run("validate");
  EXPECT_EQ(counts.exit_code, 0) << counts.out << counts.err;
  EXPECT_TRUE(contains(counts.out, "1 in quarantine")) << counts.out;
  EXPECT_EQ(stored_validation("flags"), "quarantine|3|2|0|");

  const auto checked = run("validate --checksum");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "id=2  in quarantine")) << checked.out;
  EXPECT_EQ(stored_validation("flags"), "quarantine|3|2|1|id=2:in quarantine;");
}

TEST_F(Validation, RepairDeletesNothingInAChunkHoldingARefusedRow) {
  mysql().exec("CREATE TABLE flags (id INT PRIMARY KEY, active TINYINT(1))");
  mysql().exec("INSERT INTO flags VALUES (1, 1), (2, 7), (3, 0)");
  write_mapping("tables:\n  - source_table: flags\n");
  run_ok();
  pg().exec("UPDATE flags SET active = false WHERE id = 1");
  pg().exec("INSERT INTO flags (id, active) VALUES (4, true)");
  const auto repaired = run("validate --checksum --repair");
  // Deleting what was not staged would delete the refused row's older version too: the extra row
  // stays, and says so.
  EXPECT_EQ(repaired.exit_code, 1) << repaired.out << repaired.err;
  EXPECT_TRUE(
      contains(repaired.out,
               "flags: repaired 0 inserted, 1 updated, 0 deleted, extra rows kept in 1 chunk(s)"))
      << repaired.out;
  EXPECT_TRUE(contains(repaired.out, "id=2  in quarantine")) << repaired.out;
  EXPECT_TRUE(contains(repaired.out, "id=4  extra in target")) << repaired.out;
  EXPECT_EQ(pg().scalar("SELECT active::text FROM flags WHERE id = 1"), "true");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM flags WHERE id = 4"), "1");
}

TEST_F(Validation, ExtraRowsAMappingKeepsAreNotAMismatch) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(20), "
               "updated_at DATETIME(6) NOT NULL)");
  mysql().exec("INSERT INTO items SELECT seq, CONCAT('p', seq), NOW(6) - INTERVAL 1 DAY FROM "
               + numbers(1, 5));
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                "    deletes: ignore\n");
  run_ok();
  mysql().exec("DELETE FROM items WHERE id = 4");
  const auto checked = run("validate --checksum --repair");
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_TRUE(contains(checked.out, "id=4  deleted in MySQL, kept (deletes: ignore)"))
      << checked.out;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE id = 4"), "1");
}

} // namespace
} // namespace migrate::testing

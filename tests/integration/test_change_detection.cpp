// Change detection that never loses a row: ties on one timestamp, late commits, updates during a
// run, kill -9 and resume, NULL timestamps, a server in a non-UTC time zone.
#include "support.hpp"

#include <chrono>
#include <thread>

namespace migrate::testing {
namespace {

using namespace std::chrono_literals;

class ChangeDetection : public TestDatabase {
protected:
  void create_items(const std::string& timestamp_type = "TIMESTAMP(6)") {
    mysql().exec("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, payload VARCHAR(100) NOT NULL, "
                 "updated_at "
                 + timestamp_type + " NULL, KEY idx_items_updated_at (updated_at))");
  }

  void map_items(const std::string& settings) {
    write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                  + settings);
  }

  long long pg_count() { return std::stoll(pg().scalar("SELECT count(*) FROM items")); }

  long long latest(const std::string& column) { return std::stoll(latest_run("items").at(column)); }

  void run_ok(const std::string& args = {}) {
    const auto result = migrate(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }

  bool kill_after_next_commit() { return TestDatabase::kill_after_next_commit("items"); }
};

TEST_F(ChangeDetection, TenThousandRowsSharingOneTimestampMoveExactlyOnce) {
  create_items();
  map_items("    batch_size: 1000\n    commit_rows: 1000\n    lookback: 0s\n    safety_lag: 0s\n");
  insert_items(0, 0, "NOW(6) - INTERVAL 1 DAY");
  run_ok(); // the first watermark is now
  insert_items(1, 10000, "NOW(6)");
  wait_for_next_second(mysql());

  run_ok();
  EXPECT_EQ(latest_run("items").at("mode"), "incremental+verify");
  EXPECT_EQ(latest("rows_read"), 10000);
  EXPECT_EQ(latest("rows_inserted"), 10000);
  EXPECT_EQ(pg_count(), 10001);
  EXPECT_NE(stored_position("items").find("5:10000"), std::string::npos)
      << stored_position("items");

  run_ok();
  EXPECT_EQ(latest("rows_read"), 0);
  EXPECT_EQ(latest("rows_inserted") + latest("rows_updated"), 0);
  expect_same_content("items");
}

TEST_F(ChangeDetection, LateCommitInsideTheLookbackIsMovedAndReReadRowsCostNoWrite) {
  create_items();
  // verify_every: 0 leaves the cursor alone, whose limit the end of this test shows.
  map_items("    lookback: 1h\n    safety_lag: 0s\n    verify_every: 0\n");
  run_ok();
  insert_items(1, 1, "NOW(6)");
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(latest("rows_inserted"), 1);

  // A transaction that stamped its row ten minutes ago and committed only now.
  insert_items(2, 2, "NOW(6) - INTERVAL 10 MINUTE");
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(latest("rows_inserted"), 1);
  EXPECT_EQ(latest("rows_updated"), 0);
  EXPECT_GE(latest("rows_unchanged"), 1); // row 1, read again, not written again
  expect_same_content("items");

  // Behind the lookback window the timestamp cursor cannot see it (documented behaviour), but
  // the comparison after the run (validate_after: counts) does, and the run says so.
  insert_items(3, 3, "NOW(6) - INTERVAL 2 HOUR");
  wait_for_next_second(mysql());
  const auto missed = migrate();
  EXPECT_EQ(missed.exit_code, 1) << missed.output;
  EXPECT_TRUE(contains(missed.output, "MISMATCH: 1 row missing in PostgreSQL")) << missed.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE id = 3"), "0");
}

TEST_F(ChangeDetection, RowUpdatedWhileARunExtractsIsCorrectAfterTheNextRun) {
  create_items();
  insert_items(1, 200000, "NOW(6) - INTERVAL 1 HOUR");
  map_items("    batch_size: 500\n    commit_rows: 2000\n    lookback: 0s\n    safety_lag: 0s\n");
  auto child = start_migrate({});
  while (child->running() && stored_position("items").empty()) {
    std::this_thread::sleep_for(1ms);
  }
  // One row the run has already passed and one it has not reached yet.
  mysql().exec("UPDATE items SET payload = 'changed early', updated_at = NOW(6) WHERE id = 1");
  mysql().exec("UPDATE items SET payload = 'changed late', updated_at = NOW(6) WHERE id = 200000");
  ASSERT_EQ(child->wait(), 0);
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT payload FROM items WHERE id = 1"), "changed early");
  EXPECT_EQ(pg().scalar("SELECT payload FROM items WHERE id = 200000"), "changed late");
  expect_same_content("items");
}

TEST_F(ChangeDetection, KillNineAtSeveralPointsThenResumeNeitherLosesNorDuplicates) {
  create_items();
  insert_items(1, 200000, "NOW(6) - INTERVAL 1 HOUR");
  map_items("    batch_size: 1000\n    commit_rows: 10000\n    lookback: 0s\n    safety_lag: 0s\n");

  int killed = 0;
  for (int i = 0; i < 3; ++i) {
    killed += kill_after_next_commit() ? 1 : 0;
  }
  EXPECT_GE(killed, 1) << "every run finished before it could be killed";
  run_ok();
  EXPECT_EQ(pg_count(), 200000);
  expect_same_content("items");

  // The same in an incremental pass where every row shares one new timestamp.
  mysql().exec("UPDATE items SET payload = CONCAT(payload, ' v2'), updated_at = NOW(6)");
  wait_for_next_second(mysql());
  killed = 0;
  for (int i = 0; i < 3; ++i) {
    killed += kill_after_next_commit() ? 1 : 0;
  }
  EXPECT_GE(killed, 1);
  run_ok();
  EXPECT_EQ(pg_count(), 200000);
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE payload NOT LIKE '% v2'"), "0");
  expect_same_content("items");
}

TEST_F(ChangeDetection, RowsWithNullTimestampsMoveOnTheFullPassAndAreCounted) {
  create_items();
  insert_items(1, 50, "NULL");
  insert_items(51, 100, "NOW(6) - INTERVAL 1 DAY");
  map_items("    safety_lag: 0s\n");
  run_ok();
  EXPECT_EQ(pg_count(), 100);
  EXPECT_EQ(latest("null_timestamps"), 50);
  expect_same_content("items");
}

class NonUtcServer : public ChangeDetection {
protected:
  void SetUp() override {
    ChangeDetection::SetUp();
    if (!IsSkipped() && !HasFailure()) {
      mysql().exec("SET GLOBAL time_zone = 'Europe/Berlin'");
      m_zone_changed = true;
    }
  }
  void TearDown() override {
    if (m_zone_changed) {
      mysql().exec("SET GLOBAL time_zone = '+00:00'");
    }
    ChangeDetection::TearDown();
  }
  bool m_zone_changed = false;
};

TEST_F(NonUtcServer, TimestampsArriveAsTheSameInstantsAndDatetimesAsWritten) {
  mysql().exec("CREATE TABLE events (id INT PRIMARY KEY, at_ts TIMESTAMP(3) NULL, "
               "at_dt DATETIME NULL, updated_at DATETIME(6) NOT NULL)");
  // Written by an application whose session runs in the server's zone (CEST in July: UTC+2).
  mysql().exec("SET time_zone = 'Europe/Berlin'");
  mysql().exec("INSERT INTO events VALUES (1, '2026-07-01 12:00:00.250', '2026-07-01 12:00:00', "
               "NOW(6)), (2, '2026-01-15 08:30:00', '2026-01-15 08:30:00', NOW(6))");
  mysql().exec("SET time_zone = '+00:00'");
  write_mapping("tables:\n  - source_table: events\n    timestamp_column: updated_at\n"
                "    safety_lag: 0s\n");
  wait_for_next_second(mysql());
  run_ok();
  run_ok(); // the second, incremental run must not lose or re-move anything either
  EXPECT_EQ(pg().scalar("SELECT to_char(at_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') "
                        "FROM events WHERE id = 1"),
            "2026-07-01 10:00:00.250");
  EXPECT_EQ(pg().scalar("SELECT to_char(at_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
                        "FROM events WHERE id = 2"),
            "2026-01-15 07:30:00");
  EXPECT_EQ(pg().scalar("SELECT at_dt::text FROM events WHERE id = 1"), "2026-07-01 12:00:00");

  // A DATETIME cursor written in local time: the run's bound is in the same frame, so a row
  // written just now is not mistaken for one from the future.
  mysql().exec("SET time_zone = 'Europe/Berlin'");
  mysql().exec("INSERT INTO events VALUES (3, NOW(), NOW(), NOW(6))");
  mysql().exec("SET time_zone = '+00:00'");
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM events"), "3");
  expect_same_content("events");
}

// MySQL's global time_zone three hours ahead of the writers, who stamp DATETIME in their own
// session's zone (UTC): the bound, read in the server's zone, is ahead of every row they write.
class WritersBehindTheServersZone : public NonUtcServer {
protected:
  void SetUp() override {
    ChangeDetection::SetUp();
    if (!IsSkipped() && !HasFailure()) {
      mysql().exec("SET GLOBAL time_zone = '+03:00'");
      m_zone_changed = true;
      mysql().exec("CREATE TABLE events (id INT PRIMARY KEY, note VARCHAR(20), updated_at "
                   "DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE "
                   "CURRENT_TIMESTAMP(6))");
    }
  }
  void map_events(const std::string& settings = {}) {
    write_mapping("tables:\n  - source_table: events\n    timestamp_column: updated_at\n"
                  "    safety_lag: 0s\n    lookback: 0s\n    verify_every: 0\n"
                  + settings);
  }
};

TEST_F(WritersBehindTheServersZone, EveryRowTheyWriteAfterTheFirstLoadArrives) {
  mysql().exec("INSERT INTO events (id, note) VALUES (1, 'a'), (2, 'b')"); // stamped in UTC
  map_events();
  wait_for_next_second(mysql());
  run_ok();
  mysql().exec("INSERT INTO events (id, note) VALUES (3, 'c')");
  mysql().exec("UPDATE events SET note = 'a2' WHERE id = 1");
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(note, ',' ORDER BY id) FROM events"), "a2,b,c");
  expect_same_content("events");
}

TEST_F(WritersBehindTheServersZone, TheirZoneInTheMappingPutsTheBoundWhereTheyWrite) {
  // Writers three hours ahead of MySQL's zone: without timestamp_time_zone their rows would wait
  // three hours behind the bound.
  mysql().exec("SET GLOBAL time_zone = '+00:00'");
  mysql().exec("SET time_zone = '+03:00'");
  mysql().exec("INSERT INTO events (id, note) VALUES (1, 'a')");
  map_events();
  const auto check = migrate("check");
  EXPECT_TRUE(contains(check.output, "ahead of MySQL's clock")) << check.output;
  map_events("    timestamp_time_zone: '+03:00'\n");
  EXPECT_FALSE(contains(migrate("check").output, "ahead of MySQL's clock"));
  wait_for_next_second(mysql());
  run_ok();
  mysql().exec("INSERT INTO events (id, note) VALUES (2, 'b')");
  mysql().exec("SET time_zone = '+00:00'");
  wait_for_next_second(mysql());
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT string_agg(note, ',' ORDER BY id) FROM events"), "a,b");
  // A zone MySQL does not know is a configuration error naming it.
  map_events("    timestamp_time_zone: Mars/Olympus_Mons\n");
  const auto refused = migrate();
  EXPECT_NE(refused.exit_code, 0) << refused.output;
  EXPECT_TRUE(contains(refused.output, "timestamp_time_zone 'Mars/Olympus_Mons'"))
      << refused.output;
}

} // namespace
} // namespace migrate::testing

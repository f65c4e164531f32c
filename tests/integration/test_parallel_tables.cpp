// --jobs N: tables run at once on their own connections; one failing table fails only itself, the
// exit code and the summary cover every table, and the state file holds every run.
#include "fault_proxy.hpp"
#include "support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace migrate::testing {
namespace {

class ParallelTables : public TestDatabase {
protected:
  // (table, started_at, finished_at, outcome) of every run in the state file, by id.
  std::vector<std::vector<std::string>> runs() {
    SQLite::Database db(state_file().string());
    SQLite::Statement query(
        db, "SELECT table_name, started_at, finished_at, outcome FROM runs ORDER BY id");
    std::vector<std::vector<std::string>> out;
    while (query.executeStep()) {
      out.push_back({query.getColumn(0).getString(),
                     query.getColumn(1).getString(),
                     query.getColumn(2).getString(),
                     query.getColumn(3).getString()});
    }
    return out;
  }
};

TEST_F(ParallelTables, AFailingTableFailsOnlyItselfAndEveryRunIsRecorded) {
  std::string mapping = "tables:\n";
  const std::vector<std::string> tables = {"p1", "p2", "p3", "p4", "p5"};
  for (std::size_t i = 0; i < tables.size(); ++i) {
    create_numbered_table(tables[i], 500 * static_cast<int>(i + 1));
    mapping += "  - source_table: " + tables[i]
               + "\n    timestamp_column: updated_at\n    commit_rows: 200\n";
  }
  // A mapping whose MySQL table does not exist: that table fails, the others go on.
  mapping += "  - source_table: gone\n    timestamp_column: updated_at\n";
  write_mapping(mapping);

  const auto run = migrate("--jobs 3");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  for (const auto& table : tables) {
    expect_same_content(table);
    EXPECT_NE(run.output.find(table), std::string::npos) << run.output;
  }
  EXPECT_NE(run.output.find("table=gone"), std::string::npos) << run.output;
  const auto recorded = runs();
  ASSERT_EQ(recorded.size(), tables.size() + 1);
  std::map<std::string, std::string> outcome;
  for (const auto& r : recorded) {
    outcome[r[0]] = r[3];
    EXPECT_FALSE(r[2].empty()) << r[0] << " finished";
  }
  for (const auto& table : tables) {
    EXPECT_EQ(outcome[table], "ok") << table;
  }
  EXPECT_EQ(outcome["gone"], "failed");

  // The next run, with jobs from migrate.yaml, finds nothing to do but the failing table.
  std::ofstream(config_dir() / "migrate.yaml", std::ios::app) << "jobs: 4\n";
  const auto again = migrate();
  EXPECT_EQ(again.exit_code, 1) << again.output;
  for (const auto& [table, moved] : moved_by_latest_runs()) {
    EXPECT_EQ(moved, 0) << table;
  }
}

// Through a slow link every table takes seconds, so the runs of --jobs 3 overlap in time: they
// really run at once, and the largest table is among the first three started.
TEST_F(ParallelTables, TablesRunAtOnceLargestFirst) {
  std::string mapping = "tables:\n";
  const std::vector<std::pair<std::string, int>> sizes = {
      {"small1", 300}, {"small2", 300}, {"large", 6000}, {"small3", 300}, {"small4", 300}};
  for (const auto& [table, rows] : sizes) {
    create_numbered_table(table, rows);
    mapping += "  - source_table: " + table + "\n    timestamp_column: updated_at\n";
  }
  write_mapping(mapping);
  mysql().exec("ANALYZE TABLE small1, small2, large, small3, small4");
  FaultProxy slow_link(std::stoi(m_settings->mysql_port));
  slow_link.slow_down(100); // each exchange takes 0.2 s: every run lasts seconds
  const auto run = migrate("--jobs 3", {{"MIGRATE_MYSQL_PORT", std::to_string(slow_link.port())}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  for (const auto& [table, rows] : sizes) {
    expect_same_content(table);
  }
  const auto recorded = runs();
  ASSERT_EQ(recorded.size(), sizes.size());
  // started_at and finished_at are UTC text of one format: they compare as strings.
  const auto& first = recorded[0];
  const auto& second = recorded[1];
  EXPECT_LT(std::max(first[1], second[1]), std::min(first[2], second[2]))
      << "the first two runs overlap";
  bool large_early = false;
  for (std::size_t i = 0; i < 3; ++i) {
    large_early = large_early || recorded[i][0] == "large";
  }
  EXPECT_TRUE(large_early) << run.output;
  // The summary lists the tables in the mapping's order, whatever order they finished in.
  EXPECT_LT(run.output.find("small1"), run.output.find("small4")) << run.output;
}

// parallel_ranges: the first load of one table split into key ranges, each on its own connections.
class ParallelRanges : public ParallelTables {
protected:
  // "phase|key" of each range position of `table` in the state file, by range.
  std::map<std::string, std::string> range_positions(const std::string& table) {
    std::map<std::string, std::string> out;
    if (!std::filesystem::exists(state_file())) {
      return out;
    }
    try {
      SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
      db.setBusyTimeout(5000);
      SQLite::Statement query(db,
                              "SELECT table_name, phase || '|' || cursor_key FROM table_state "
                              "WHERE table_name LIKE ?");
      query.bind(1, table + "#%");
      while (query.executeStep()) {
        out[query.getColumn(0).getString()] = query.getColumn(1).getString();
      }
    } catch (const SQLite::Exception&) {
      return {}; // not created yet
    }
    return out;
  }

  void write_ranges_mapping(const std::string& table, int ranges) {
    write_mapping("tables:\n  - source_table: " + table
                  + "\n    timestamp_column: updated_at\n    commit_rows: 1000\n    "
                    "parallel_ranges: "
                  + std::to_string(ranges) + "\n");
  }
};

TEST_F(ParallelRanges, FourRangesLoadEveryRowAndLeaveOnlyTheTablesPosition) {
  create_numbered_table("ranged", 20000);
  write_ranges_mapping("ranged", 4);
  const auto plan = migrate("plan");
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("loaded in about 4 key ranges, 4 at a time"), std::string::npos)
      << plan.output;
  const auto first = migrate();
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("loading 5 of 5 key ranges"), std::string::npos) << first.output;
  expect_same_content("ranged");
  EXPECT_TRUE(range_positions("ranged").empty()) << "the ranges are forgotten once loaded";
  EXPECT_EQ(stored_position("ranged").substr(0, 12), "incremental|");
  EXPECT_EQ(latest_run("ranged")["rows_read"], "20000");
  // The keys were built after the load, and incremental runs go on as after any first load.
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_index WHERE indrelid = 'ranged'::regclass AND "
                        "indisprimary"),
            "1");
  mysql().exec("UPDATE ranged SET payload = 'changed', updated_at = NOW(6) WHERE id % 1000 = 0");
  wait_for_next_second(mysql());
  const auto second = migrate();
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(latest_run("ranged")["rows_updated"], "20");
  expect_same_content("ranged");
}

// One range's PostgreSQL connection cut: the other ranges stop, and the run's retry of a table
// without a timestamp column compares it (it holds rows now), which the ranges' stop must not
// reach.
TEST_F(ParallelRanges, ARetryAfterARangeWasCutCompletesAKeyOnlyTable) {
  create_numbered_table("ranged", 100000);
  write_mapping(
      "tables:\n  - source_table: ranged\n    commit_rows: 1000\n    parallel_ranges: 4\n");
  FaultProxy proxy(std::stoi(m_settings->pg_port));
  proxy.cut_after_bytes(1 << 20, 1);
  const auto run = migrate({}, {{"MIGRATE_PG_PORT", std::to_string(proxy.port())}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_EQ(latest_run("ranged")["retries"], "1") << run.output;
  expect_same_content("ranged");
}

TEST_F(ParallelRanges, AKilledRangedLoadResumesEachRangeWhereItStopped) {
  create_numbered_table("ranged", 100000);
  write_ranges_mapping("ranged", 4);
  FaultProxy slow_link(std::stoi(m_settings->mysql_port));
  slow_link.slow_down(10); // the load takes seconds: the kill lands inside it
  const std::map<std::string, std::string> slow = {
      {"MIGRATE_MYSQL_PORT", std::to_string(slow_link.port())}};
  {
    auto child = start_migrate({});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    // Killed once two ranges have committed rows, before the load ends.
    const auto committed = [&] {
      int ranges = 0;
      for (const auto& [name, position] : range_positions("ranged")) {
        ranges +=
            name != "ranged#ranges" && position.rfind("initial|", 0) == 0 && position != "initial|"
                ? 1
                : 0;
      }
      return ranges >= 2;
    };
    while (child->running() && std::chrono::steady_clock::now() < deadline && !committed()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_TRUE(child->running()) << "the load ended before two ranges committed";
    child->kill9();
  }
  const auto stopped = range_positions("ranged");
  EXPECT_EQ(stopped.count("ranged#ranges"), 1u);
  EXPECT_EQ(stored_position("ranged"), "") << "the table's own position waits for every range";
  const auto plan = migrate("plan", slow);
  EXPECT_NE(plan.output.find("loaded in 5 key ranges, going on where an earlier run stopped"),
            std::string::npos)
      << plan.output;

  const auto resumed = migrate({}, slow);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resuming a first load in 5 key ranges"), std::string::npos)
      << resumed.output;
  expect_same_content("ranged");
  EXPECT_TRUE(range_positions("ranged").empty());
  // Each range went on after its committed key: fewer rows read than the table holds.
  EXPECT_LT(std::stoll(latest_run("ranged")["rows_read"]), 100000);
}

TEST_F(ParallelRanges, ATableWithoutAnIntegerKeyLoadsInOneStream) {
  mysql().exec("CREATE TABLE texts (code VARCHAR(10) PRIMARY KEY, updated_at TIMESTAMP(6) NOT "
               "NULL)");
  mysql().exec("INSERT INTO texts VALUES ('a', NOW(6) - INTERVAL 1 HOUR), ('b', NOW(6) - "
               "INTERVAL 1 HOUR)");
  write_ranges_mapping("texts", 4);
  const auto run = migrate();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("parallel_ranges needs an integer first key column"), std::string::npos)
      << run.output;
  expect_same_content("texts");
}

TEST_F(ParallelTables, JobsMustBeBetweenOneAnd64) {
  write_mapping("tables:\n  - source_table: p1\n    timestamp_column: updated_at\n");
  const auto zero = migrate("--jobs 0");
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  EXPECT_NE(zero.output.find("--jobs"), std::string::npos) << zero.output;
  std::ofstream(config_dir() / "migrate.yaml", std::ios::app) << "jobs: 100\n";
  const auto yaml = migrate();
  EXPECT_EQ(yaml.exit_code, 2) << yaml.output;
  EXPECT_NE(yaml.output.find("jobs"), std::string::npos) << yaml.output;
}

} // namespace
} // namespace migrate::testing

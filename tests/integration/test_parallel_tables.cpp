// --jobs N: tables run at once on their own connections; one failing table fails only itself, the
// exit code and the summary cover every table, and the state file holds every run.
#include "fault_proxy.hpp"
#include "support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>

namespace migrate::testing {
namespace {

class ParallelTables : public TestDatabase {
protected:
  void create_table(const std::string& table, int rows) {
    mysql().exec("CREATE TABLE " + table
                 + " (id INT PRIMARY KEY, payload VARCHAR(50) NOT NULL, updated_at TIMESTAMP(6) "
                   "NOT NULL)");
    mysql().exec("SET SESSION max_recursive_iterations = 1000000");
    mysql().exec("INSERT INTO " + table + " WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n "
                 + "+ 1 FROM seq WHERE n < " + std::to_string(rows)
                 + ") SELECT n, CONCAT('row ', n), NOW(6) - INTERVAL 1 HOUR FROM seq");
  }

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
    create_table(tables[i], 500 * static_cast<int>(i + 1));
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
    create_table(table, rows);
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

// Two runs on one state file: the second is refused at once with exit code 3 and the first's pid,
// while read-only commands still work during the run.
#include "support.hpp"

#include <chrono>
#include <fstream>
#include <thread>

namespace migrate::testing {
namespace {

using namespace std::chrono_literals;

class OneRunAtATime : public TestDatabase {
protected:
  // The binary with this test's config, killed by timeout(1) if it ever hangs.
  ProcessResult bounded(const std::string& args) {
    return run_command("timeout 60 " + std::string(MIGRATE_BINARY) + " --config '"
                           + config_dir().string() + "' " + args,
                       run_env());
  }

  // Waits up to a minute until the latest run of `table` is marked running in the state file.
  bool wait_until_running(const std::string& table) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      try {
        const auto run = latest_run(table);
        if (run.count("outcome") != 0 && run.at("outcome") == "running") {
          return true;
        }
      } catch (const std::exception&) {
        // The state file may not exist yet, or be busy for a moment: try again.
      }
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  // The pid the lock file names, or "" until a run has written it (bounded: one minute).
  std::string wait_for_holder_pid() {
    const auto lock = std::filesystem::path(state_file().string() + ".lock");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto text = read_file(lock);
      const auto start = text.find("pid=");
      const auto end = text.find(' ');
      if (start == 0 && end != std::string::npos) {
        return text.substr(4, end - 4);
      }
      std::this_thread::sleep_for(10ms);
    }
    return {};
  }
};

TEST_F(OneRunAtATime, ASecondRunExitsAtOnceWithCode3WhileTheFirstCompletes) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(50) NOT NULL, updated_at "
               "TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE "
               "CURRENT_TIMESTAMP(6))");
  mysql().exec("INSERT INTO items (id, payload, updated_at) VALUES (1, 'one', NOW(6) - INTERVAL 1 "
               "DAY)");
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n");
  auto first = bounded("");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  mysql().exec("INSERT INTO items (id, payload) VALUES (2, 'two')");
  wait_for_next_second(mysql());

  // Holds the target table so that the next run waits inside its lock until released.
  PgClient blocker(*m_settings, name());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
  auto running = start_migrate({"--state", state_file().string()}, "running.log");
  const auto pid = wait_for_holder_pid();
  ASSERT_FALSE(pid.empty()) << read_file(dir() / "running.log");
  ASSERT_TRUE(wait_until_running("items")) << read_file(dir() / "running.log");

  const auto refused_at = std::chrono::steady_clock::now();
  const auto second = bounded("--state '" + state_file().string() + "'");
  EXPECT_LT(std::chrono::steady_clock::now() - refused_at, 10s) << "the refusal does not wait";
  EXPECT_EQ(second.exit_code, 3) << second.output;
  EXPECT_TRUE(contains(second.output, "another migrate run (pid " + pid + ", started "))
      << second.output;
  EXPECT_TRUE(contains(second.output, "holds " + state_file().string() + ".lock")) << second.output;
  EXPECT_TRUE(
      contains(read_file(dir() / "logs" / "migrate.log"), "another migrate run (pid " + pid))
      << "the refusal is in the log file too";

  const auto status = bounded("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "running (pid " + pid + ", started ")) << status.output;
  const auto quarantine = bounded("quarantine");
  EXPECT_EQ(quarantine.exit_code, 0) << quarantine.output;
  EXPECT_TRUE(running->running()) << "the first run is still waiting for the table";

  blocker.exec("COMMIT");
  EXPECT_EQ(running->wait_for(60s), 0) << read_file(dir() / "running.log");
  expect_same_content("items");
  const auto after = bounded("");
  EXPECT_EQ(after.exit_code, 0) << "the lock is free once the first run ended\n" << after.output;
}

TEST_F(OneRunAtATime, ARunKilledWithSigkillLeavesNoLockBehind) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(50) NOT NULL, updated_at "
               "TIMESTAMP(6) NOT NULL)");
  mysql().allow_recursion(1000000);
  mysql().exec("INSERT INTO items WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM "
               "seq WHERE n < 100000) SELECT n, CONCAT('item ', n), NOW(6) - INTERVAL 1 HOUR "
               "FROM seq");
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                "    batch_size: 1000\n    commit_rows: 5000\n");
  if (!kill_after_next_commit("items")) {
    GTEST_SKIP() << "the run finished before it could be killed";
  }
  const auto status = bounded("status");
  EXPECT_EQ(status.exit_code, 1) << status.output;
  EXPECT_TRUE(contains(status.output, "did not finish")) << status.output;
  EXPECT_FALSE(contains(status.output, "running (pid")) << "the killed run is not running";
  const auto next = bounded("");
  EXPECT_EQ(next.exit_code, 0) << next.output;
  expect_same_content("items");
}

} // namespace
} // namespace migrate::testing

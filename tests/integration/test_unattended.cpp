// Left alone at 02:00: a connection that breaks mid-load (or during COMMIT) is retried from the
// last commit and the run ends equal; a lock held by someone else fails clearly instead of waiting
// for ever; max_runtime stops the run after a commit, with a position the next run goes on from.
#include "fault_proxy.hpp"
#include "support.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace migrate::testing {
namespace {

class Unattended : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    // Short waits between retries keep the tests quick.
    std::ofstream(config_dir() / "migrate.yaml", std::ios::app)
        << "retry:\n  attempts: 4\n  max_wait: 1s\n";
  }

  void create_items(int rows) {
    mysql().exec("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, payload VARCHAR(100) NOT NULL, "
                 "updated_at DATETIME(6) NOT NULL)");
    mysql().allow_recursion(10000000);
    mysql().exec("INSERT INTO items WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 "
                 "FROM seq WHERE n < "
                 + std::to_string(rows)
                 + ") SELECT n, CONCAT('item number ', n, ' with some text to carry'), NOW(6) - "
                   "INTERVAL 1 DAY FROM seq");
    // Stamped by this test's UTC session, all at one time: with the zone stated, the cursor stands
    // at the bound after the first load, and reads nothing again.
    write_mapping(
        "tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
        "    batch_size: 1000\n    commit_rows: 20000\n    timestamp_time_zone: '+00:00'\n");
  }

  // database.yaml with `line` added to its `section` (mysql or postgresql).
  void add_setting(const std::string& section, const std::string& line) {
    const auto path = config_dir() / "database.yaml";
    std::stringstream text;
    text << std::ifstream(path).rdbuf();
    auto yaml = text.str();
    const auto header = section + ":\n";
    yaml.replace(yaml.find(header), header.size(), header + "  " + line + "\n");
    std::ofstream(path) << yaml;
  }
  void add_postgres_setting(const std::string& line) { add_setting("postgresql", line); }

  long long latest(const std::string& column) { return std::stoll(latest_run("items").at(column)); }
};

TEST_F(Unattended, APostgresConnectionCutMidLoadIsRetriedAndTheRunEndsEqual) {
  create_items(150000);
  FaultProxy proxy(std::stoi(m_settings->pg_port));
  proxy.cut_after_bytes(4 << 20, 1);
  const auto result = migrate({}, {{"MIGRATE_PG_PORT", std::to_string(proxy.port())}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_GE(latest("retries"), 1);
  EXPECT_TRUE(contains(result.output, "retry=1/4")) << result.output;
  // The retry goes on from the last committed key of the table this run created: what is read
  // twice is what was read but not committed when the cut came, at most one commit group (20000
  // rows) and the batches in flight (the queue's 8 of 1000 and the one being extracted); nothing
  // claims the table was new again.
  EXPECT_LE(latest("rows_read"), 150000 + 20000 + 9 * 1000) << result.output;
  EXPECT_FALSE(contains(result.output, "did not exist and was created")) << result.output;
  expect_same_content("items");
  EXPECT_EQ(migrate("validate --checksum").exit_code, 0);
}

// A stalled proxy or pooler: the connection stays open and nothing comes back. The client's own
// bound (read_timeout) closes it and the run retries; on PostgreSQL the next connection ends the
// abandoned session, which the proxy keeps alive with its locks.
TEST_F(Unattended, APostgresPeerThatGoesSilentMidLoadIsCutByReadTimeoutAndRetried) {
  create_items(150000);
  add_postgres_setting("read_timeout: 3s");
  FaultProxy proxy(std::stoi(m_settings->pg_port));
  proxy.stall_after_bytes(4 << 20, 1);
  const auto result = migrate({}, {{"MIGRATE_PG_PORT", std::to_string(proxy.port())}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_GE(latest("retries"), 1);
  EXPECT_TRUE(contains(result.output, "PostgreSQL sent no answer for 3 s (read_timeout)"))
      << result.output;
  // The proxy keeps the silent session, waiting for COPY data with the table locked, for ever:
  // the next connection ends it.
  EXPECT_TRUE(contains(result.output, "that stopped answering (it held its locks)"))
      << result.output;
  expect_same_content("items");
}

TEST_F(Unattended, AMysqlPeerThatGoesSilentMidReadIsCutByReadTimeoutAndRetried) {
  create_items(150000);
  add_setting("mysql", "read_timeout: 2s");
  FaultProxy proxy(std::stoi(m_settings->mysql_port));
  proxy.stall_after_bytes(4 << 20, 1);
  const auto result = migrate({}, {{"MIGRATE_MYSQL_PORT", std::to_string(proxy.port())}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_GE(latest("retries"), 1);
  expect_same_content("items");
}

// An Aurora failover: the cluster endpoint answers from a read-only instance for a while
// (SQLSTATE 25006), then from the new writer. The run connects again and retries meanwhile.
TEST_F(Unattended, AReadOnlyTargetThatBecomesWritableDuringTheRetriesEndsEqual) {
  create_items(1000);
  const std::string set_read_only = "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET "
                                    "default_transaction_read_only = ";
  pg().exec(set_read_only + "on', current_database()); END $$");
  auto child = start_migrate({}, "read_only.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  pg().exec(set_read_only + "off', current_database()); END $$");
  const auto exit_code = child->wait_for(std::chrono::seconds(120));
  const auto log = (std::stringstream() << std::ifstream(dir() / "read_only.log").rdbuf()).str();
  EXPECT_EQ(exit_code, 0) << log;
  EXPECT_TRUE(contains(log, "sqlstate=25006")) << log;
  EXPECT_GE(latest("retries"), 1);
  expect_same_content("items");
}

TEST_F(Unattended, AMysqlConnectionCutMidReadIsRetriedAndTheRunEndsEqual) {
  create_items(150000);
  FaultProxy proxy(std::stoi(m_settings->mysql_port));
  proxy.cut_after_bytes(4 << 20, 1);
  const auto result = migrate({}, {{"MIGRATE_MYSQL_PORT", std::to_string(proxy.port())}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(proxy.cuts(), 1);
  EXPECT_GE(latest("retries"), 1);
  expect_same_content("items");
}

TEST_F(Unattended, AMassDeleteInMysqlFailsTheTableBeforeAnythingIsDeleted) {
  mysql().exec("CREATE TABLE codes (id INT NOT NULL PRIMARY KEY, label VARCHAR(20))");
  mysql().exec("INSERT INTO codes SELECT seq, CONCAT('code ', seq) FROM " + numbers(1, 100));
  write_mapping("tables:\n  - source_table: codes\n"); // no timestamp: deletes are carried out
  ASSERT_EQ(migrate().exit_code, 0);
  mysql().exec("DELETE FROM codes WHERE id > 10"); // a bad script
  const auto refused = migrate();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "MySQL lacks at least 90 of the target's 100 rows (90%)"))
      << refused.output;
  EXPECT_TRUE(contains(refused.output, "--allow-mass-delete")) << refused.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM codes"), "100"); // nothing deleted
  // A share the mapping allows, or the flag on the day it is meant.
  write_mapping("tables:\n  - source_table: codes\n    max_delete_ratio: 95%\n");
  EXPECT_EQ(migrate().exit_code, 0);
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM codes"), "10");
  mysql().exec("DELETE FROM codes WHERE id > 1");
  write_mapping("tables:\n  - source_table: codes\n");
  EXPECT_EQ(migrate().exit_code, 1);
  const auto allowed = migrate("--allow-mass-delete");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM codes"), "1");
}

TEST_F(Unattended, ACommitWhoseAnswerIsLostIsResolvedByReadingAgain) {
  create_items(60000);
  FaultProxy proxy(std::stoi(m_settings->pg_port));
  proxy.cut_after_commit(2, 1 << 20); // two data commits in doubt, in two attempts
  const auto result = migrate({}, {{"MIGRATE_PG_PORT", std::to_string(proxy.port())}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(proxy.cuts(), 2);
  EXPECT_GE(latest("retries"), 2);
  expect_same_content("items");
  EXPECT_EQ(migrate("validate --checksum").exit_code, 0);
}

TEST_F(Unattended, ATargetLockedBySomeoneElseFailsClearlyWithinTheLockTimeout) {
  create_items(10);
  ASSERT_EQ(migrate().exit_code, 0);
  add_postgres_setting("lock_timeout: 1s");
  pg().exec("BEGIN");
  pg().exec("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
  const auto started = std::chrono::steady_clock::now();
  const auto result = migrate();
  const auto took = std::chrono::steady_clock::now() - started;
  pg().exec("ROLLBACK");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "could not lock table items within lock_timeout"))
      << result.output;
  EXPECT_GE(latest("retries"), 1); // a lock timeout is worth retrying, and was
  EXPECT_LT(took, std::chrono::seconds(60));
}

TEST_F(Unattended, MaxRuntimeStopsAfterACommitAndTheNextRunGoesOn) {
  create_items(100000);
  mysql().exec("CREATE TABLE later (id INT NOT NULL PRIMARY KEY)");
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                "    batch_size: 1000\n    commit_rows: 5000\n  - source_table: later\n");
  std::ofstream(config_dir() / "migrate.yaml", std::ios::app) << "max_runtime: 1s\n";
  FaultProxy slow_link(std::stoi(m_settings->mysql_port));
  slow_link.slow_down(20); // the 100,000 rows take several seconds to arrive
  const auto stopped = migrate({}, {{"MIGRATE_MYSQL_PORT", std::to_string(slow_link.port())}});
  EXPECT_EQ(stopped.exit_code, 4) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "max_runtime reached")) << stopped.output;
  EXPECT_NE(stored_position("items").find("initial"), std::string::npos);
  EXPECT_EQ(latest_run("later").at("error"), "not started: max_runtime reached");
  // Their own outcomes, at warning level: a stop the configuration asked for is no failure.
  EXPECT_TRUE(contains(stopped.output, "warning table=items outcome=stopped")) << stopped.output;
  EXPECT_TRUE(contains(stopped.output, "warning table=later outcome=not_started"))
      << stopped.output;
  EXPECT_FALSE(contains(stopped.output, "outcome=failed")) << stopped.output;
  const auto summary_says = [&](const std::string& table, const std::string& outcome) {
    std::istringstream lines(stopped.output);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(table + " ", 0) == 0 && contains(line, " " + outcome + " ")) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(summary_says("items", "stopped")) << stopped.output;
  EXPECT_TRUE(summary_says("later", "not started")) << stopped.output;
  const auto rows = std::stoll(pg().scalar("SELECT count(*) FROM items"));
  EXPECT_GE(rows, 5000);
  EXPECT_LT(rows, 100000);

  auto yaml = std::stringstream() << std::ifstream(config_dir() / "migrate.yaml").rdbuf();
  auto text = yaml.str();
  text.erase(text.find("max_runtime: 1s\n"));
  std::ofstream(config_dir() / "migrate.yaml") << text;
  const auto resumed = migrate();
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_content("items");
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

// A server restarted while a table loads: the same invocation reconnects and finishes.
class ServerRestart : public Unattended {
protected:
  void SetUp() override {
    Unattended::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    if (!mysql().is_mariadb()) {
      GTEST_SKIP() << "scripts/servers.sh restarts the MariaDB and PostgreSQL of its own run";
    }
    // A restart takes seconds: wait longer between retries.
    const auto path = config_dir() / "migrate.yaml";
    auto text = (std::stringstream() << std::ifstream(path).rdbuf()).str();
    text.replace(text.find("attempts: 4\n  max_wait: 1s"), 27, "attempts: 8\n  max_wait: 5s");
    std::ofstream(path) << text;
  }

  void restart_during_load(const std::string& server) {
    create_items(100000);
    write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                  "    batch_size: 1000\n    commit_rows: 5000\n");
    FaultProxy slow_link(std::stoi(m_settings->mysql_port));
    slow_link.slow_down(10); // the load takes several seconds, so the restart lands inside it
    const auto log = dir() / "restart-child.log";
    Process child({MIGRATE_BINARY, "--config", config_dir().string()},
                  log,
                  run_env({{"MIGRATE_MYSQL_PORT", std::to_string(slow_link.port())}}));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (child.running() && stored_position("items").empty()
           && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(child.running()) << "the load ended before the restart";
    const auto restarted = run_command("bash -c 'source " + std::string(MIGRATE_SOURCE_DIR)
                                       + "/scripts/servers.sh && servers_restart_" + server + "'");
    ASSERT_EQ(restarted.exit_code, 0) << restarted.output;
    EXPECT_EQ(child.wait(), 0) << (std::stringstream() << std::ifstream(log).rdbuf()).str();
    reconnect();
    EXPECT_GE(latest("retries"), 1);
    expect_same_content("items");
    EXPECT_EQ(migrate("validate --checksum").exit_code, 0);
  }
};

TEST_F(ServerRestart, PostgresRestartedMidTableTheRunReconnectsAndEndsEqual) {
  restart_during_load("postgres");
}

TEST_F(ServerRestart, MariadbRestartedMidTableTheRunReconnectsAndEndsEqual) {
  restart_during_load("mariadb");
}

} // namespace
} // namespace migrate::testing

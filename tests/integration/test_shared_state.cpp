// Several workers sharing one PostgreSQL state store: each table runs once per round, whichever
// worker takes it, and a worker killed mid-table leaves it to the next, which goes on from the
// committed position.
#include "support.hpp"

#include "migrate/core/shard.hpp"

#include <chrono>
#include <fstream>
#include <thread>

namespace migrate::testing {
namespace {

using namespace std::chrono_literals;

class SharedState : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    // The binary's own least-privilege role, through database.yaml's variables.
    std::ofstream(config_dir() / "migrate.yaml")
        << "state: postgresql://${MIGRATE_PG_USER}:${MIGRATE_PG_PASSWORD}@${MIGRATE_PG_HOST}:"
           "${MIGRATE_PG_PORT}/"
        << name() << "?application_name=migrate_state\nlogging:\n  file: ../logs/migrate.log\n";
  }

  std::string shared(const std::string& sql) { return pg().scalar(sql); }
};

TEST_F(SharedState, ThreeWorkersRunEveryTableExactlyOnce) {
  std::string mapping = "tables:\n";
  std::vector<std::string> tables;
  for (int i = 1; i <= 12; ++i) {
    tables.push_back("t" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    create_numbered_table(tables.back(), 2000);
    mapping += "  - source_table: " + tables.back()
               + "\n    timestamp_column: updated_at\n    commit_rows: 500\n";
  }
  write_mapping(mapping);
  std::vector<std::unique_ptr<Process>> workers;
  for (const auto* id : {"w1", "w2", "w3"}) {
    workers.push_back(start_migrate({"--worker-id", id}, std::string(id) + ".log"));
  }
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const auto log = dir() / ("w" + std::to_string(i + 1) + ".log");
    EXPECT_EQ(workers[i]->wait_for(120s), 0) << read_file(log);
  }
  EXPECT_EQ(shared("SELECT count(*) FROM migrate_state.runs"), "12");
  EXPECT_EQ(shared("SELECT count(DISTINCT table_name) FROM migrate_state.runs WHERE outcome = "
                   "'ok'"),
            "12");
  EXPECT_EQ(shared("SELECT string_agg(options, ',' ORDER BY options) FROM "
                   "migrate_state.invocations"),
            "--config " + config_dir().string() + " --worker-id w1,--config "
                + config_dir().string() + " --worker-id w2,--config " + config_dir().string()
                + " --worker-id w3");
  EXPECT_EQ(shared("SELECT count(*) FROM migrate_state.invocations WHERE exit_code = 0"), "3");
  for (const auto& table : tables) {
    expect_same_content(table);
  }
  EXPECT_EQ(shared("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = "
                   "'migrate_state'"),
            pg_role())
      << "created by the least-privilege role";
}

TEST_F(SharedState, ShardsSplitTheTablesByTheirNameHash) {
  std::string mapping = "tables:\n";
  std::map<std::string, std::string> shard_of;
  for (int i = 1; i <= 6; ++i) {
    const auto table = "s" + std::to_string(i);
    create_numbered_table(table, 10);
    mapping += "  - source_table: " + table + "\n    timestamp_column: updated_at\n";
    shard_of[table] = in_shard(table, Shard{0, 2}) ? "0" : "1";
  }
  write_mapping(mapping);
  const auto wrong = migrate("--shard 2/2");
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_NE(wrong.output.find("--shard: '2/2': i must be below n"), std::string::npos)
      << wrong.output;
  for (const auto* shard : {"0", "1"}) {
    const auto run = migrate("--shard " + std::string(shard) + "/2 --worker-id shard" + shard);
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  for (const auto& [table, shard] : shard_of) {
    EXPECT_EQ(shared("SELECT string_agg(i.options, ',') FROM migrate_state.runs r JOIN "
                     "migrate_state.invocations i ON i.id = r.invocation_id WHERE r.table_name = '"
                     + table + "'"),
              "--config " + config_dir().string() + " --worker-id shard" + shard + " --shard "
                  + shard + "/2")
        << table;
    expect_same_content(table);
  }
  const auto check = migrate("check");
  EXPECT_NE(check.output.find("schema=migrate_state is reachable"), std::string::npos)
      << check.output;
  EXPECT_EQ(check.output.find("lp_"), std::string::npos) << "no password in the output";
  const auto report = migrate("report --html '" + (dir() / "report.html").string() + "'");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const auto html = read_file(dir() / "report.html");
  EXPECT_NE(html.find(":***@"), std::string::npos) << "names the store, without its password";
  EXPECT_EQ(html.find("lp_"), std::string::npos);
}

TEST_F(SharedState, AWorkerKilledMidTableLeavesItToTheNextFromTheCommittedPosition) {
  create_numbered_table("big", 100000);
  write_mapping("tables:\n  - source_table: big\n    timestamp_column: updated_at\n"
                "    batch_size: 1000\n    commit_rows: 5000\n");
  auto first = start_migrate({"--worker-id", "doomed"}, "doomed.log");
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  std::string position;
  while (first->running() && std::chrono::steady_clock::now() < deadline) {
    try {
      position = shared("SELECT count(*) FROM migrate_state.table_state WHERE table_name = 'big'");
    } catch (const std::exception&) {
      position.clear(); // the store's tables are not made yet
    }
    if (position == "1") {
      break;
    }
    std::this_thread::sleep_for(2ms);
  }
  if (!first->running()) {
    GTEST_SKIP() << "the run finished before it could be killed";
  }
  first->kill9();
  first->wait();
  EXPECT_EQ(shared("SELECT outcome FROM migrate_state.runs WHERE table_name = 'big'"), "running");

  // The server ends the killed worker's session, and its lease with it, a moment later.
  for (int i = 0; i < 500
                  && shared("SELECT count(*) FROM pg_locks WHERE locktype = "
                            "'advisory'")
                         != "0";
       ++i) {
    std::this_thread::sleep_for(10ms);
  }
  const auto next = migrate("--worker-id next");
  ASSERT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(next.output.find("by another worker"), std::string::npos) << next.output;
  expect_same_content("big");
  const auto read = std::stoll(shared("SELECT rows_read FROM migrate_state.runs WHERE table_name "
                                      "= 'big' AND outcome = 'ok'"));
  EXPECT_LT(read, 100000) << "went on from the committed position, not from the start";
  EXPECT_GT(read, 0);
}

TEST_F(SharedState, AWorkerAndARepairLeaveATableAnotherWorkerHoldsAndSaySo) {
  create_numbered_table("items", 10);
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n");
  const auto first = migrate("--worker-id first");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  mysql().exec("UPDATE items SET payload = 'changed', updated_at = NOW(6) WHERE id = 1");
  wait_for_next_second(mysql());
  // Holds the target table so that the next worker waits inside its lease.
  PgClient blocker(*m_settings, name());
  blocker.exec("BEGIN");
  blocker.exec("LOCK TABLE public.items IN ACCESS EXCLUSIVE MODE");
  auto holder = start_migrate({"--worker-id", "holder"}, "holder.log");
  // The holder's invocation lock and its lease of the table: it is inside the table's run.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline
         && std::stoi(shared("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")) < 2) {
    std::this_thread::sleep_for(10ms);
  }
  const auto second = migrate("--worker-id second");
  EXPECT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("leased by another worker"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("table=items skipped: leased by another worker"), std::string::npos)
      << second.output;
  const auto history = migrate("history");
  EXPECT_NE(history.output.find("running"), std::string::npos) << history.output;
  const auto status = migrate("status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("running (another worker holds its lease)"), std::string::npos)
      << status.output;
  const auto repair = migrate("validate --checksum --repair");
  EXPECT_EQ(repair.exit_code, 3) << repair.output;
  EXPECT_NE(repair.output.find("table items is leased by another worker"), std::string::npos)
      << repair.output;
  blocker.exec("ROLLBACK");
  EXPECT_EQ(holder->wait_for(120s), 0) << read_file(dir() / "holder.log");
  expect_same_content("items");
  EXPECT_EQ(shared("SELECT count(*) FROM migrate_state.runs"), "2") << "first and holder";
}

} // namespace
} // namespace migrate::testing

// Invocations and their table runs in the state file, and an older state file gaining them.
#include "migrate/core/error.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

using namespace std::chrono_literals;
using namespace migrate;
using namespace migrate::state;

namespace {

TableResult result_of(const std::string& table, Outcome outcome, std::uint64_t inserted) {
  TableResult r;
  r.table = table;
  r.mode = RunMode{Pass::incremental, false};
  r.outcome = outcome;
  r.counts.rows_read = inserted;
  r.counts.inserted = inserted;
  r.counts.quarantined = outcome == Outcome::ok ? 1 : 0;
  if (outcome != Outcome::ok) {
    r.error = Error(ErrorArea::target, "boom");
  }
  r.started = std::chrono::system_clock::now();
  r.finished = r.started + 2s;
  r.upper_bound = "2026-11-01 00:00:00.000000";
  return r;
}

TEST(StateHistory, TableRunsPointToTheirInvocationAndItSumsThem) {
  auto store = open_sqlite_state(":memory:");
  const auto id = store->begin_invocation({"db1", 42, "--config /etc/migrate"});
  store->finish_run(store->begin_run("users"), result_of("users", Outcome::ok, 10));
  store->finish_run(store->begin_run("orders"), result_of("orders", Outcome::failed, 3));
  store->finish_invocation(id, 1, 2);

  const auto items = store->invocations(10);
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].id, id);
  EXPECT_EQ(items[0].start.host, "db1");
  EXPECT_EQ(items[0].start.pid, 42);
  EXPECT_EQ(items[0].start.options, "--config /etc/migrate");
  EXPECT_EQ(items[0].exit_code.value_or(-1), 1);
  EXPECT_EQ(items[0].notify_failures, 2U);
  EXPECT_EQ(items[0].tables_ok, 1U);
  EXPECT_EQ(items[0].tables_failed, 1U);
  EXPECT_EQ(items[0].rows_moved, 13U);
  EXPECT_EQ(items[0].quarantined, 1U);
  EXPECT_EQ(store->runs("users", 5).back().invocation_id, id);
}

TEST(StateHistory, ListsTheNewestFirstAndShowsAnUnfinishedInvocation) {
  auto store = open_sqlite_state(":memory:");
  const auto first = store->begin_invocation({"db1", 1, ""});
  store->finish_invocation(first, 0, 0);
  const auto second = store->begin_invocation({"db1", 2, ""}); // the process died
  store->begin_run("users");
  const auto items = store->invocations(1);
  ASSERT_EQ(items.size(), 1U);
  EXPECT_EQ(items[0].id, second);
  EXPECT_FALSE(items[0].exit_code.has_value());
  EXPECT_EQ(items[0].tables_failed, 1U) << "a run that did not finish counts as failed";
  EXPECT_EQ(store->invocations(10).size(), 2U);
}

TEST(StateHistory, ReturnsATablesRunsOldestFirstAndItsLastSuccess) {
  auto store = open_sqlite_state(":memory:");
  EXPECT_FALSE(store->last_successful_run("users").has_value());
  store->finish_run(store->begin_run("users"), result_of("users", Outcome::ok, 5));
  store->finish_run(store->begin_run("users"), result_of("users", Outcome::failed, 0));
  const auto runs = store->runs("users", 10);
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[1].result.outcome, Outcome::failed);
  EXPECT_EQ(runs[1].result.error_text(), "boom");
  EXPECT_EQ(store->runs("users", 1).size(), 1U);
  const auto ok = store->last_successful_run("users");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->id, runs[0].id);
  EXPECT_EQ(ok->result.upper_bound, "2026-11-01 00:00:00.000000");
  EXPECT_EQ(ok->invocation_id, 0) << "a run outside an invocation";
}

// The schema of the first release's state file, with a run in it.
const char* const k_old_schema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE table_state (table_name TEXT PRIMARY KEY, phase TEXT NOT NULL, cursor_timestamp TEXT,
  cursor_key TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL,
  mode TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0, rows_inserted INTEGER NOT NULL DEFAULT 0,
  rows_updated INTEGER NOT NULL DEFAULT 0, rows_unchanged INTEGER NOT NULL DEFAULT 0,
  rows_deleted INTEGER NOT NULL DEFAULT 0, zero_dates INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL DEFAULT 0, watermark TEXT, upper_bound TEXT, error TEXT);
CREATE TABLE quarantine (table_name TEXT NOT NULL, row_key TEXT NOT NULL,
  column_name TEXT NOT NULL, reason TEXT NOT NULL, raw_hex TEXT NOT NULL, run_id INTEGER NOT NULL,
  rejected_at TEXT NOT NULL, PRIMARY KEY (table_name, row_key, column_name));
INSERT INTO runs (table_name, mode, started_at, finished_at, outcome, rows_inserted, duration_ms)
  VALUES ('users', 'initial', '2026-11-01T02:00:00Z', '2026-11-01T02:00:05Z', 'ok', 7, 5000);
)sql";

TEST(StateHistory, AnOlderStateFileGainsInvocationsAndKeepsItsRuns) {
  const auto path = std::filesystem::temp_directory_path()
                    / ("migrate-old-state-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(k_old_schema);
  }
  {
    auto store = open_sqlite_state(path);
    const auto old = store->last_successful_run("users");
    ASSERT_TRUE(old.has_value());
    EXPECT_EQ(old->result.counts.inserted, 7U);
    EXPECT_EQ(old->invocation_id, 0);
    EXPECT_TRUE(store->invocations(10).empty());
    const auto id = store->begin_invocation({"db1", 3, ""});
    store->finish_run(store->begin_run("users"), result_of("users", Outcome::ok, 1));
    store->finish_invocation(id, 0, 0);
  }
  auto again = open_sqlite_state(path); // opens twice: the migration is idempotent
  ASSERT_EQ(again->invocations(10).size(), 1U);
  EXPECT_EQ(again->invocations(10)[0].tables_ok, 1U);
  EXPECT_EQ(again->runs("users", 10).size(), 2U);
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

} // namespace

#include "migrate/state/sqlite_state_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

using namespace migrate;
using namespace migrate::state;

namespace {

ValidationRecord validation(const std::string& table, const std::string& outcome) {
  ValidationRecord r;
  r.table = table;
  r.checksum = true;
  r.source_rows = 10;
  r.target_rows = 9;
  r.behind = 1;
  r.quarantined = 2;
  r.unexplained = 1;
  r.chunks_compared = 4;
  r.chunks_differing = 1;
  r.outcome = parse_agreement(outcome);
  r.summary = "DIFFERS: 1 missing in target";
  r.rows = {{"id=3", "missing in target", "0"}, {"id=9", "changed since the last run", "0"}};
  return r;
}

void record_run(StateStore& store, const std::string& table, std::uint64_t inserted) {
  const auto id = store.begin_run(table);
  TableResult result;
  result.table = table;
  result.mode = RunMode{Pass::incremental, false};
  result.counts.inserted = inserted;
  store.finish_run(id, result);
}

} // namespace

TEST(StateValidations, KeepsEachValidationWithItsDifferingRows) {
  auto store = open_sqlite_state(":memory:");
  const auto first = store->record_validation(validation("orders", "mismatch"));
  auto repaired = validation("orders", "in sync");
  repaired.repaired = true;
  repaired.rows.clear();
  store->record_validation(repaired);
  store->record_validation(validation("users", "mismatch"));

  const auto found = store->validations("orders", 10, true);
  ASSERT_EQ(found.size(), 2U);
  EXPECT_EQ(found[0].id, first);
  EXPECT_STREQ(to_string(found[0].outcome), "mismatch");
  EXPECT_TRUE(found[0].checksum);
  EXPECT_EQ(found[0].source_rows, 10U);
  EXPECT_EQ(found[0].target_rows, 9U);
  EXPECT_EQ(found[0].behind, 1U);
  EXPECT_EQ(found[0].quarantined, 2U);
  EXPECT_EQ(found[0].unexplained, 1U);
  EXPECT_EQ(found[0].chunks_compared, 4U);
  EXPECT_EQ(found[0].chunks_differing, 1U);
  EXPECT_FALSE(found[0].at.empty());
  ASSERT_EQ(found[0].rows.size(), 2U);
  EXPECT_EQ(found[0].rows[0].key, "id=3");
  EXPECT_EQ(found[0].rows[0].difference, "missing in target");
  EXPECT_EQ(found[0].rows[1].difference, "changed since the last run");
  EXPECT_TRUE(found[1].repaired);
  EXPECT_TRUE(found[1].rows.empty());

  const auto newest = store->validations("orders", 1, false);
  ASSERT_EQ(newest.size(), 1U);
  EXPECT_STREQ(to_string(newest[0].outcome), "in sync");
  EXPECT_TRUE(store->validations("orders", 10, false)[0].rows.empty());
  EXPECT_TRUE(store->validations("missing", 10, true).empty());
}

TEST(StateValidations, RunsGivesATablesLastRunsOldestFirst) {
  auto store = open_sqlite_state(":memory:");
  for (std::uint64_t i = 1; i <= 5; ++i) {
    record_run(*store, "orders", i);
    record_run(*store, "users", 100 + i);
  }
  const auto runs = store->runs("orders", 3);
  ASSERT_EQ(runs.size(), 3U);
  EXPECT_EQ(runs[0].result.counts.inserted, 3U);
  EXPECT_EQ(runs[2].result.counts.inserted, 5U);
  EXPECT_EQ(runs[2].result.table, "orders");
  EXPECT_EQ(store->runs("orders", 50).size(), 5U);
  EXPECT_TRUE(store->runs("nothing", 5).empty());
}

TEST(StateValidations, AStateFileWrittenBeforeValidationsWereStoredGainsTheirTables) {
  const auto path = std::filesystem::temp_directory_path()
                    / ("migrate-old-state-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    // The first release's schema: no validation tables.
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version "
            "VALUES (1); CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT "
            "NOT NULL, mode TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, outcome "
            "TEXT NOT NULL, rows_read INTEGER NOT NULL DEFAULT 0, rows_inserted INTEGER NOT NULL "
            "DEFAULT 0, rows_updated INTEGER NOT NULL DEFAULT 0, rows_unchanged INTEGER NOT NULL "
            "DEFAULT 0, rows_deleted INTEGER NOT NULL DEFAULT 0, zero_dates INTEGER NOT NULL "
            "DEFAULT 0, duration_ms INTEGER NOT NULL DEFAULT 0, watermark TEXT, upper_bound TEXT, "
            "error TEXT); INSERT INTO runs (table_name, mode, started_at, outcome, rows_inserted) "
            "VALUES ('orders', 'initial', '2026-11-01T02:00:00Z', 'ok', 7)");
  }
  {
    auto store = open_sqlite_state(path);
    store->record_validation(validation("orders", "mismatch"));
    EXPECT_EQ(store->validations("orders", 5, true).at(0).rows.size(), 2U);
    EXPECT_EQ(store->runs("orders", 5).at(0).result.counts.inserted, 7U);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

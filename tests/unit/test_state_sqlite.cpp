#include "migrate/core/error.hpp"
#include "migrate/state/serialized_state_store.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

using namespace migrate;
using namespace migrate::state;

TEST(StateKey, EncodesAnyBytesReversibly) {
  const std::vector<std::string> key = {"1", "a:b", "", std::string("\0\n", 2)};
  EXPECT_EQ(decode_key(encode_key(key)), key);
  EXPECT_TRUE(decode_key("").empty());
  EXPECT_THROW(decode_key("5:ab"), Error);
}

TEST(SqliteState, KeepsPositionsPerTable) {
  auto store = open_sqlite_state(":memory:");
  EXPECT_FALSE(store->position("users").has_value());
  store->save_position("users", Position{Pass::incremental, "2026-01-01 00:00:00", {"42"}});
  store->save_position("users", Position{Pass::incremental, "2026-01-02 00:00:00", {"7"}});
  const auto position = store->position("users");
  ASSERT_TRUE(position.has_value());
  EXPECT_EQ(position->phase, Pass::incremental);
  EXPECT_EQ(position->timestamp.value_or(""), "2026-01-02 00:00:00");
  EXPECT_EQ(position->key, std::vector<std::string>{"7"});
  EXPECT_FALSE(store->position("orders").has_value());
  store->clear_position("users");
  EXPECT_FALSE(store->position("users").has_value());
}

TEST(SqliteState, RecordsRunsAndReturnsTheLatestPerTable) {
  auto store = open_sqlite_state(":memory:");
  TableResult result;
  result.table = "users";
  result.mode = RunMode{Pass::initial, false};
  result.counts.rows_read = 10;
  result.counts.inserted = 10;
  result.started = std::chrono::system_clock::now();
  result.finished = result.started + std::chrono::seconds(2);
  store->finish_run(store->begin_run("users"), result);
  result.mode = RunMode{Pass::incremental, true};
  result.outcome = Outcome::failed;
  result.error = Error(ErrorArea::target,
                       "boom",
                       ErrorContext{.table = "users",
                                    .column = "email",
                                    .primary_key = "id=7",
                                    .sql = "INSERT INTO users",
                                    .sqlstate = "23505",
                                    .transient = true});
  store->finish_run(store->begin_run("users"), result);
  store->begin_run("orders"); // never finished: the process died

  const auto runs = store->latest_runs();
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].result.table, "orders");
  EXPECT_EQ(runs[0].result.outcome, Outcome::failed);
  EXPECT_NE(runs[0].result.error_text().find("did not finish"), std::string::npos);
  EXPECT_EQ(runs[1].result.table, "users");
  EXPECT_EQ(to_string(runs[1].result.mode), "incremental+compare");
  ASSERT_TRUE(runs[1].result.error.has_value());
  const auto& error = *runs[1].result.error;
  EXPECT_EQ(error.area(), ErrorArea::target);
  EXPECT_EQ(error.message(), "boom");
  EXPECT_EQ(error.context().table, "users");
  EXPECT_EQ(error.context().column, "email");
  EXPECT_EQ(error.context().primary_key, "id=7");
  EXPECT_EQ(error.context().sql, "INSERT INTO users");
  EXPECT_EQ(error.context().sqlstate, "23505");
  EXPECT_TRUE(error.is_transient());
  EXPECT_EQ(runs[1].result.counts.rows_read, 10U);
}

// Rows written before errors were stored field by field hold the whole text in `error` alone.
TEST(SqliteState, ReadsTheErrorTextOfRowsWrittenBeforeItsFields) {
  const auto path = std::filesystem::temp_directory_path()
                    / ("migrate-state-errors-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto store = open_sqlite_state(path);
    TableResult result;
    result.table = "users";
    result.outcome = Outcome::failed;
    result.error = Error(ErrorArea::source, "lost", ErrorContext{.sqlstate = "mysql-2013"});
    store->finish_run(store->begin_run("users"), result);
  }
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE runs SET error = 'old text table=users', error_area = NULL, error_table = "
            "NULL, error_column = NULL, error_key = NULL, error_sql = NULL, error_sqlstate = NULL, "
            "mode = 'full+compare'");
  }
  auto store = open_sqlite_state(path);
  const auto runs = store->latest_runs();
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].result.error_text(), "old text table=users");
  EXPECT_EQ(runs[0].result.error->area(), ErrorArea::internal);
  EXPECT_EQ(runs[0].result.mode, (RunMode{Pass::full, true}));
  std::filesystem::remove(path);
}

TEST(SqliteState, PersistsAcrossReopenAndRefusesNewerSchema) {
  const auto path = std::filesystem::temp_directory_path()
                    / ("migrate-state-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto store = open_sqlite_state(path);
    store->save_position("t", Position{Pass::initial, "2026-01-01 00:00:00", {"1", "2"}});
  }
  {
    auto store = open_sqlite_state(path);
    EXPECT_EQ(store->position("t")->key, (std::vector<std::string>{"1", "2"}));
  }
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE schema_version SET version = 99");
  }
  EXPECT_THROW(open_sqlite_state(path), Error);
  std::filesystem::remove(path);
}

// --jobs: worker threads write runs, positions and quarantine entries at once through the
// wrapper; the file holds every one of them afterwards.
TEST(SqliteState, ConcurrentWritersThroughTheSerializedStoreKeepEveryRun) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("migrate-concurrent-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "state.db";
  {
    SerializedStateStore store(open_sqlite_state(file));
    const auto invocation = store.begin_invocation({"host", 1, "--jobs 4"});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&store, t] {
        const auto table = "table" + std::to_string(t);
        for (int i = 0; i < 25; ++i) {
          TableResult result;
          result.table = table;
          result.outcome = Outcome::ok;
          result.counts.rows_read = static_cast<std::uint64_t>(i);
          const auto id = store.begin_run(table);
          store.save_position(table, Position{Pass::incremental, "2026-01-01 00:00:00", {"1"}});
          store.quarantine(
              {QuarantineEntry{table, "id=" + std::to_string(i), "c", "bad value", "78", id, {}}});
          store.finish_run(id, result);
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    store.finish_invocation(invocation, 0, 0);
  }
  auto reopened = open_sqlite_state(file);
  for (int t = 0; t < 4; ++t) {
    const auto table = "table" + std::to_string(t);
    EXPECT_EQ(reopened->successful_runs(table), 25u) << table;
    EXPECT_EQ(reopened->quarantined(table).size(), 25u) << table;
    EXPECT_TRUE(reopened->position(table).has_value());
  }
  std::filesystem::remove_all(dir);
}

// migrate state copy: a SQLite state file copied into a PostgreSQL store keeps positions, history,
// quarantine and validations, a run on the copy goes on where the file left off, and the copy
// copies back into a file.
#include "support.hpp"

#include "migrate/state/postgres_state_store.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace migrate::testing {
namespace {

class StateCopy : public TestDatabase {
protected:
  std::string base_url() {
    const auto env = run_env();
    return "postgresql://" + env.at("MIGRATE_PG_USER") + ":" + env.at("MIGRATE_PG_PASSWORD") + "@"
           + m_settings->pg_host + ":" + m_settings->pg_port + "/" + name();
  }
  std::string url(const std::string& schema) { return base_url() + "?schema=" + schema; }
};

TEST_F(StateCopy, CopiesASqliteFileIntoPostgresqlAndRunsGoOnFromIt) {
  mysql().exec("CREATE TABLE items (id INT PRIMARY KEY, payload VARCHAR(50) NOT NULL, updated_at "
               "TIMESTAMP(6) NOT NULL)");
  insert_items(1, 50, "NOW(6) - INTERVAL 1 HOUR");
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n");
  ASSERT_EQ(migrate().exit_code, 0);
  ASSERT_EQ(migrate().exit_code, 0);
  const auto validate = migrate("validate");
  ASSERT_EQ(validate.exit_code, 0) << validate.output;
  {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READWRITE);
    // A row MySQL no longer has: no run writes it, so the entry stays through the copies.
    db.exec("INSERT INTO quarantine VALUES ('items', 'id=999', 'payload', 'bad utf-8', 'ff', 1, "
            "'2026-11-01T02:00:00Z')");
  }

  const auto copy = migrate("state copy --to '" + url("copied") + "'");
  ASSERT_EQ(copy.exit_code, 0) << copy.output;
  EXPECT_NE(copy.output.find("copied 1 positions, 2 invocations, 2 runs, 1 quarantined rows and 3 "
                             "validations"),
            std::string::npos)
      << copy.output;
  EXPECT_EQ(copy.output.find("lp_"), std::string::npos) << "no password in the output";

  const auto file = state::open_sqlite_state(state_file());
  const auto shared = state::open_postgres_state(base_url(), "copied");
  const auto before = state::read_snapshot(*file, {"items"});
  const auto after = state::read_snapshot(*shared, {"items"});
  ASSERT_EQ(after.positions.size(), 1U);
  EXPECT_EQ(after.positions[0].second.key, before.positions[0].second.key);
  EXPECT_EQ(after.positions[0].second.timestamp, before.positions[0].second.timestamp);
  EXPECT_EQ(after.positions[0].second.target_id, before.positions[0].second.target_id);
  ASSERT_EQ(after.runs.size(), before.runs.size());
  for (std::size_t i = 0; i < after.runs.size(); ++i) {
    EXPECT_EQ(after.runs[i].id, before.runs[i].id);
    EXPECT_EQ(after.runs[i].invocation_id, before.runs[i].invocation_id);
    EXPECT_EQ(after.runs[i].result.mode, before.runs[i].result.mode);
    EXPECT_EQ(after.runs[i].result.counts.inserted, before.runs[i].result.counts.inserted);
    EXPECT_EQ(after.runs[i].result.started, before.runs[i].result.started);
    EXPECT_EQ(after.runs[i].result.outcome, before.runs[i].result.outcome);
  }
  ASSERT_EQ(after.invocations.size(), before.invocations.size());
  EXPECT_EQ(after.invocations[0].start.options, before.invocations[0].start.options);
  EXPECT_EQ(after.invocations[0].exit_code, before.invocations[0].exit_code);
  ASSERT_EQ(after.quarantine.size(), 1U);
  EXPECT_EQ(after.quarantine[0].at, "2026-11-01T02:00:00Z");
  EXPECT_EQ(after.quarantine[0].raw_hex, "ff");
  ASSERT_EQ(after.validations.size(), 3U);
  EXPECT_EQ(after.validations[0].outcome, before.validations[0].outcome);
  EXPECT_EQ(after.validations[0].at, before.validations[0].at);

  insert_items(51, 60, "NOW(6)");
  wait_for_next_second(mysql());
  const auto next = migrate("--state '" + url("copied") + "'");
  ASSERT_EQ(next.exit_code, 0) << next.output;
  expect_same_content("items");
  EXPECT_EQ(pg().scalar("SELECT mode FROM copied.runs ORDER BY id DESC LIMIT 1"),
            "incremental+verify");
  EXPECT_EQ(pg().scalar("SELECT max(id) FROM copied.runs"), "3") << "new ids follow the copied";

  const auto back_file = dir() / "back.db";
  const auto back =
      migrate("--state '" + url("copied") + "' state copy --to '" + back_file.string() + "'");
  ASSERT_EQ(back.exit_code, 0) << back.output;
  const auto round_trip = state::read_snapshot(*state::open_sqlite_state(back_file), {"items"});
  EXPECT_EQ(round_trip.runs.size(), 3U);
  EXPECT_EQ(round_trip.invocations.size(), 3U);
  EXPECT_EQ(round_trip.quarantine.size(), 1U);
  EXPECT_EQ(round_trip.validations.size(), 4U);

  const auto again = migrate("state copy --to '" + url("copied") + "'");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("copy into an empty one"), std::string::npos) << again.output;
}

} // namespace
} // namespace migrate::testing

// retention: in migrate.yaml: each run forgets history and validations older than their periods
// and blanks the raw values of rows quarantined before quarantine_values, keeping keys and
// reasons; `migrate state prune` does the same on demand.
#include "support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>

namespace migrate::testing {
namespace {

class Retention : public TestDatabase {
protected:
  // Runs compare nothing afterwards: the validations counted are the test's own.
  void write_settings(const std::string& extra) {
    std::ofstream(config_dir() / "migrate.yaml")
        << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\nvalidate_after: none\n"
        << extra;
  }

  std::string state_scalar(const std::string& sql) {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getString();
  }

  // Makes everything recorded so far look a year old.
  void age_everything() {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE runs SET started_at = '2025-01-01T02:00:00Z', finished_at = "
            "'2025-01-01T02:01:00Z'");
    db.exec("UPDATE invocations SET started_at = '2025-01-01T02:00:00Z'");
    db.exec("UPDATE validations SET checked_at = '2025-01-01T02:05:00Z'");
    db.exec("UPDATE quarantine SET rejected_at = '2025-01-01T02:00:30Z'");
  }

  // A table with a row that goes to quarantine (a zero date in a NOT NULL column).
  void create_table_with_a_bad_row() {
    mysql().exec("SET SESSION sql_mode = ''");
    mysql().exec("CREATE TABLE events (id INT PRIMARY KEY, day DATE NOT NULL)");
    mysql().exec("INSERT INTO events VALUES (1, '2024-01-01'), (2, '0000-00-00')");
    mysql().exec("SET SESSION sql_mode = DEFAULT");
    write_mapping("tables:\n  - source_table: events\n");
  }
};

TEST_F(Retention, ARunForgetsOldHistoryAndBlanksOldRawValuesButKeepsKeysAndTheNewest) {
  create_table_with_a_bad_row();
  write_settings("retention: {history: 30d, validations: 30d, quarantine_values: 7d}\n");
  ASSERT_EQ(migrate().exit_code, 0);
  ASSERT_EQ(migrate().exit_code, 0);
  migrate("validate"); // a validation to forget (the quarantined row makes it exit 1)
  migrate("validate");
  age_everything();
  const auto run = migrate();
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // The row still fails, so the run quarantined it anew before retention applied: its value stays.
  EXPECT_NE(run.output.find("retention removed 2 runs, 2 invocations, 1 validation and 0 "
                            "quarantined values"),
            std::string::npos)
      << run.output;
  // The aged runs went but the newest of the table, which is the run just made.
  EXPECT_EQ(state_scalar("SELECT count(*) FROM runs"), "1");
  EXPECT_EQ(state_scalar("SELECT count(*) FROM validations"), "1");
  // Aged again, the entry's raw value goes; its key and reason stay.
  {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READWRITE);
    db.exec("UPDATE quarantine SET rejected_at = '2025-01-01T02:00:30Z'");
  }
  const auto pruned = migrate("state prune");
  ASSERT_EQ(pruned.exit_code, 0) << pruned.output;
  EXPECT_NE(pruned.output.find("removed 0 runs, 0 invocations, 0 validations and 1 quarantined "
                               "value"),
            std::string::npos)
      << pruned.output;
  EXPECT_NE(pruned.output.find("retention: history 30d, validations 30d, quarantine values 7d"),
            std::string::npos);
  const auto listed = migrate("quarantine --table events");
  EXPECT_NE(listed.output.find("key=\"id=2\" column=day"), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("zero date in a NOT NULL column"), std::string::npos);
  EXPECT_EQ(state_scalar("SELECT raw_hex FROM quarantine WHERE row_key = 'id=2'"), "");
  EXPECT_EQ(migrate("status").exit_code, 0);
}

TEST_F(Retention, ForeverKeepsEverythingAndTheDefaultsKeepAYear) {
  create_table_with_a_bad_row();
  write_settings("retention: {history: forever, validations: forever, quarantine_values: "
                 "forever}\n");
  ASSERT_EQ(migrate().exit_code, 0);
  ASSERT_EQ(migrate().exit_code, 0);
  age_everything();
  const auto kept = migrate("state prune");
  EXPECT_NE(kept.output.find("removed 0 runs, 0 invocations, 0 validations and 0 quarantined "
                             "values"),
            std::string::npos)
      << kept.output;
  write_settings(""); // defaults: history 400d, quarantine values 90d: a year-old record goes
  const auto defaults = migrate("state prune");
  EXPECT_NE(defaults.output.find("removed 1 run, 1 invocation, 0 validations and 1 quarantined "
                                 "value"),
            std::string::npos)
      << defaults.output;
  EXPECT_NE(defaults.output.find("history 400d, validations 400d, quarantine values 90d"),
            std::string::npos);
}

TEST_F(Retention, APeriodTooShortOrMisspeltIsRefusedAndNothingIsForgotten) {
  create_table_with_a_bad_row();
  ASSERT_EQ(migrate().exit_code, 0);
  write_settings("retention: {history: 400}\n"); // seconds: a unit left out
  const auto short_one = migrate("state prune");
  EXPECT_NE(short_one.exit_code, 0);
  EXPECT_NE(short_one.output.find("at least 1d, or forever"), std::string::npos)
      << short_one.output;
  write_settings("retention: {histroy: 30d}\n");
  const auto misspelt = migrate();
  EXPECT_NE(misspelt.exit_code, 0);
  EXPECT_NE(misspelt.output.find("histroy"), std::string::npos) << misspelt.output;
  EXPECT_EQ(state_scalar("SELECT count(*) FROM runs"), "1");
}

} // namespace
} // namespace migrate::testing

// The design document's five success metrics over a generated history of weekly runs with a
// failure and its recovery: `status` shows them, `status --json` and the metrics textfile carry
// them, each met or not met against migrate.yaml's targets.
#include "support.hpp"
#include "support/exposition.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>
#include <sstream>

namespace migrate::testing {
namespace {

class SuccessMetrics : public TestDatabase {
protected:
  void SetUp() override {
    TestDatabase::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    std::ofstream(config_dir() / "migrate.yaml")
        << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\n"
           "metrics: {textfile: ../metrics.prom}\n"
           "targets: {consistency: 99.9%, window: 4h, runs: 52, failure_rate: 1%, recovery: 30m}\n";
    create_numbered_table("items", 20);
    write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n");
  }

  // Eight weekly runs of an hour from 2026-10-04, the fifth failed and a run by hand ended 20
  // minutes after it.
  void generate_history() {
    SQLite::Database db(state_file().string(), SQLite::OPEN_READWRITE);
    const auto add = [&](const std::string& started, int duration_s, int exit_code) {
      db.exec("INSERT INTO invocations (started_at, finished_at, duration_ms, host, pid, options, "
              "exit_code) VALUES ('"
              + started + "', '" + started + "', " + std::to_string(duration_s * 1000)
              + ", 'db1', 1, '', " + std::to_string(exit_code) + ")");
    };
    for (int week = 0; week < 8; ++week) {
      const auto day = 4 + 7 * week; // October has 31 days: 4, 11, ..., 31, then Nov 7 and 14
      const auto date = day <= 31 ? "2026-10-" + two(day) : "2026-11-" + two(day - 31);
      add(date + "T02:00:00Z", 3600, week == 4 ? 1 : 0);
      if (week == 4) {
        add(date + "T03:10:00Z", 600, 0); // ended 03:20, the failure ended 03:00
      }
    }
  }

  static std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

  std::string textfile() {
    std::ifstream in(dir() / "metrics.prom");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

TEST_F(SuccessMetrics, StatusAndTheTextfileMeasureTheFiveAgainstTheirTargets) {
  ASSERT_EQ(migrate().exit_code, 0);
  generate_history();
  const auto checked = migrate("validate --checksum");
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  ASSERT_EQ(migrate().exit_code, 0);

  const auto status = migrate("status --json");
  const auto metric = [&](const std::string& key, const std::string& field) {
    return json_eval(dir() / "status.json",
                     status.output,
                     "[m['" + field + "'] for m in d['success_metrics'] if m['metric'] == '" + key
                         + "'][0]");
  };
  EXPECT_EQ(metric("consistency", "state"), "met") << status.output;
  EXPECT_EQ(metric("consistency", "text"),
            "100% of 20 rows equal, 0 rows differing (1 table, checksums up to "
                + json_eval(dir() / "status.json",
                            status.output,
                            "d['tables'][0]['consistency']['measured_at'][:10]")
                + ")");
  // Eleven runs ended: the real first one, the eight generated, the one by hand, and the last.
  EXPECT_EQ(metric("failure_rate", "text"), "1 of the last 11 runs failed (9.09%)");
  EXPECT_EQ(metric("failure_rate", "state"), "not met");
  EXPECT_EQ(metric("recovery", "state"), "met");
  EXPECT_EQ(metric("recovery", "value"), "1200");
  EXPECT_EQ(metric("window", "state"), "met");
  EXPECT_EQ(metric("data_age", "state"), "met");
  EXPECT_EQ(json_eval(dir() / "status.json",
                      status.output,
                      "len([m for m in d['success_metrics'] if m['metric'] == 'failure_rate'][0]"
                      "['trend'])"),
            "11");
  EXPECT_EQ(
      json_eval(dir() / "status.json", status.output, "d['tables'][0]['consistency']['ratio']"),
      "1");

  const auto samples = parse_exposition(textfile());
  const auto value = [&](const std::string& name, const std::string& key) {
    const auto* s = find_labelled(samples, name, "metric", key);
    EXPECT_NE(s, nullptr) << name << " " << key;
    return s == nullptr ? -1.0 : s->value;
  };
  EXPECT_EQ(value("migrate_success_metric_met", "consistency"), 1);
  EXPECT_EQ(value("migrate_success_metric_met", "failure_rate"), 0);
  EXPECT_DOUBLE_EQ(value("migrate_success_metric_value", "failure_rate"), 1.0 / 11);
  EXPECT_EQ(value("migrate_success_metric_value", "recovery"), 1200);
  EXPECT_EQ(value("migrate_success_metric_target", "window"), 4 * 3600);
  EXPECT_EQ(find(samples, "migrate_table_consistency_ratio", "items")->value, 1);

  const auto text = migrate("status");
  EXPECT_NE(text.output.find("Failed runs"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("not met"), std::string::npos);
  EXPECT_NE(text.output.find("at most 1% of the last 52 runs"), std::string::npos);
}

// validate_after: counts with checksum_every: 2 compares content on every second successful run
// of a table, and that checksum is what the consistency metric reads.
TEST_F(SuccessMetrics, ContentIsComparedAfterEverySecondRunAndFeedsConsistency) {
  std::ofstream(config_dir() / "migrate.yaml")
      << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\n"
         "validate_after: counts\nchecksum_every: 2\nchecksum_budget: 1h\n";
  ASSERT_EQ(migrate().exit_code, 0);
  ASSERT_EQ(migrate().exit_code, 0);
  ASSERT_EQ(migrate().exit_code, 0);
  SQLite::Database db(state_file().string(), SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT group_concat(kind, ',') FROM (SELECT kind FROM validations "
                          "ORDER BY id)")
                .getString(),
            "counts,checksum,counts");
  const auto status = migrate("status --json");
  EXPECT_EQ(json_eval(dir() / "status.json",
                      status.output,
                      "[m['state'] for m in d['success_metrics'] if m['metric'] == "
                      "'consistency'][0]"),
            "met");
}

TEST_F(SuccessMetrics, ANewInstallationIsNotMeasuredRatherThanFailing) {
  const auto status = migrate("status --json");
  EXPECT_EQ(json_eval(dir() / "status.json",
                      status.output,
                      "sorted(set(m['state'] for m in d['success_metrics']))"),
            "['not measured']");
}

TEST_F(SuccessMetrics, ATargetThatIsNotAPercentageIsRefused) {
  std::ofstream(config_dir() / "migrate.yaml")
      << "state_file: ../state.db\nlogging:\n  file: ../logs/migrate.log\n"
         "targets: {consistency: 0.999}\n";
  const auto refused = migrate("status");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("expected a percentage such as 99.9%"), std::string::npos)
      << refused.output;
}

} // namespace
} // namespace migrate::testing

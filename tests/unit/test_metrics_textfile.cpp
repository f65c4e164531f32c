// The metrics textfile, checked by a parser of Prometheus's text exposition format: metric and
// label name charsets, label value escaping, one HELP and TYPE per family before its samples,
// samples of a family together, numeric values; and the atomic write.
#include "support/exposition.hpp"

#include "migrate/metrics/textfile.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace std::chrono_literals;
using namespace migrate;
using namespace migrate::metrics;
using migrate::testing::find;
using migrate::testing::parse_exposition;

namespace {

RunFigures figures() {
  RunFigures run;
  run.finished = std::chrono::system_clock::from_time_t(1793491200);
  run.exit_code = 1;
  TableFigures users;
  users.table = "users";
  TableResult result;
  result.table = "users";
  result.counts.rows_read = 1200;
  result.counts.inserted = 1000;
  result.counts.updated = 150;
  result.counts.deleted = 3;
  result.counts.quarantined = 2;
  result.started = run.finished - 10s;
  result.finished = run.finished - 7s;
  users.last_run = result;
  users.last_success = result.started;
  users.data_age = 40s;
  run.tables.push_back(users);
  TableFigures odd;
  odd.table = "we\"ird\\na\nme";
  result.outcome = Outcome::failed;
  odd.last_run = result;
  run.tables.push_back(odd); // never succeeded: no age, no last success
  return run;
}

TEST(MetricsTextfile, FollowsTheExpositionFormat) {
  const auto samples = parse_exposition(render_textfile(figures()));
  EXPECT_GT(samples.size(), 10U);
}

TEST(MetricsTextfile, HasEachTablesFigures) {
  const auto samples = parse_exposition(render_textfile(figures()));
  const auto value = [&](const std::string& name, const std::string& table = "users") {
    const auto* s = find(samples, name, table);
    EXPECT_NE(s, nullptr) << name;
    return s == nullptr ? -1.0 : s->value;
  };
  EXPECT_EQ(value("migrate_table_rows_read"), 1200);
  EXPECT_EQ(value("migrate_table_rows_inserted"), 1000);
  EXPECT_EQ(value("migrate_table_rows_updated"), 150);
  EXPECT_EQ(value("migrate_table_rows_deleted"), 3);
  EXPECT_EQ(value("migrate_table_rows_quarantined"), 2);
  EXPECT_EQ(value("migrate_table_last_run_duration_seconds"), 3);
  EXPECT_EQ(value("migrate_table_last_success_timestamp_seconds"), 1793491200 - 10);
  EXPECT_EQ(value("migrate_table_data_age_seconds"), 40);
  EXPECT_EQ(value("migrate_table_stale"), 0);
  EXPECT_EQ(value("migrate_run_exit_code", ""), 1);
  EXPECT_EQ(find(samples, "migrate_table_data_age_seconds", "we\"ird\\na\nme"), nullptr)
      << "no age for a table never synced";
}

// A metric not measured yet has no samples: an alert on `migrate_success_metric_met == 0` does not
// fire for a new installation.
TEST(MetricsTextfile, HasTheSuccessMetricsMeasured) {
  auto run = figures();
  validate::Metric consistency{"consistency", "Data consistency", validate::MetricState::met};
  consistency.value = 0.9995;
  consistency.target = 0.999;
  validate::Metric failures{"failure_rate", "Failed runs", validate::MetricState::not_met};
  failures.value = 1.0 / 52;
  failures.target = 0.01;
  run.success.metrics = {
      consistency, failures, validate::Metric{"recovery", "Recovery from a failure"}};
  run.success.tables = {{"users", 2000, 1, "2026-12-06T02:41:00Z"}};
  const auto samples = parse_exposition(render_textfile(run));
  const auto value = [&](const std::string& name, const std::string& metric) {
    const auto* s = migrate::testing::find_labelled(samples, name, "metric", metric);
    return s == nullptr ? -1.0 : s->value;
  };
  EXPECT_EQ(value("migrate_success_metric_met", "consistency"), 1);
  EXPECT_EQ(value("migrate_success_metric_met", "failure_rate"), 0);
  EXPECT_DOUBLE_EQ(value("migrate_success_metric_value", "failure_rate"), 1.0 / 52);
  EXPECT_DOUBLE_EQ(value("migrate_success_metric_target", "consistency"), 0.999);
  EXPECT_EQ(value("migrate_success_metric_met", "recovery"), -1) << "not measured: no sample";
  EXPECT_DOUBLE_EQ(find(samples, "migrate_table_consistency_ratio", "users")->value, 0.9995);
}

TEST(MetricsTextfile, EscapesLabelValuesSoTheyRoundTrip) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  const auto samples = parse_exposition(render_textfile(figures()));
  int outcomes = 0;
  for (const auto& s : samples) {
    if (s.name == "migrate_table_last_run_outcome" && s.labels.at("table") == "we\"ird\\na\nme") {
      ++outcomes;
      EXPECT_EQ(s.value, s.labels.at("outcome") == "failed" ? 1 : 0);
    }
  }
  EXPECT_EQ(outcomes, 2);
}

TEST(MetricsTextfile, ReplacesTheFileAtomicallyAndLeavesItReadable) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("migrate-metrics-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "migrate.prom";
  write_textfile(path, "first\n");
  write_textfile(path, "second\n");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "second\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777U, 0644U);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
  }
  EXPECT_EQ(files, 1U) << "no temporary file left behind";
  std::filesystem::remove_all(dir);
}

TEST(MetricsTextfile, ThrowsNamingThePathWhenTheDirectoryIsMissing) {
  try {
    write_textfile("/nonexistent-dir-for-migrate/m.prom", "x\n");
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-for-migrate/m.prom"), std::string::npos);
  }
}

} // namespace

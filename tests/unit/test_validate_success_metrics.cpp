#include "migrate/validate/success_metrics.hpp"

#include <gtest/gtest.h>

namespace migrate::validate {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point k_start = Clock::from_time_t(1'796'000'000); // a Sunday, 2026-11-29

state::Invocation run(Clock::time_point started, std::chrono::seconds took, int exit_code) {
  state::Invocation out;
  out.started = started;
  out.finished = started + took;
  out.exit_code = exit_code;
  return out;
}

state::ValidationRecord checksum(const std::string& table,
                                 const std::string& at,
                                 std::uint64_t rows,
                                 std::uint64_t unexplained) {
  state::ValidationRecord v;
  v.table = table;
  v.at = at;
  v.checksum = true;
  v.source_rows = rows;
  v.unexplained = unexplained;
  v.outcome = unexplained == 0 ? Agreement::in_sync : Agreement::mismatch;
  return v;
}

// Ten weekly runs, newest first as the store lists them; the sixth failed and a run by hand
// ended 15 minutes after it recovered.
SuccessInputs history() {
  SuccessInputs in;
  std::vector<state::Invocation> oldest_first;
  for (int week = 0; week < 10; ++week) {
    const auto sunday = k_start - (9 - week) * 7 * 24h;
    oldest_first.push_back(run(sunday, 1h + week * 1min, week == 5 ? 1 : 0));
    if (week == 5) {
      oldest_first.push_back(run(sunday + 1h + 10min, 10min, 0));
    }
  }
  in.invocations.assign(oldest_first.rbegin(), oldest_first.rend());
  in.now = k_start + 2h;
  in.checksums = {checksum("users", "2026-11-22T03:00:00Z", 1000, 5),
                  checksum("users", "2026-11-29T03:00:00Z", 1000, 0),
                  checksum("orders", "2026-11-29T03:10:00Z", 9000, 1)};
  Freshness users;
  users.age = 2h;
  Freshness orders;
  orders.age = 3h;
  in.ages = {{"users", users}, {"orders", orders}};
  return in;
}

const Metric& find(const SuccessReport& report, const std::string& key) {
  for (const auto& metric : report.metrics) {
    if (metric.key == key) {
      return metric;
    }
  }
  throw std::runtime_error("no metric " + key);
}

TEST(SuccessMetrics, ConsistencyIsTheNewestChecksumOfEachTable) {
  const auto report = assess_success(history(), SuccessTargets{});
  const auto& metric = find(report, "consistency");
  EXPECT_EQ(metric.state, MetricState::met); // 9999 of 10000
  EXPECT_DOUBLE_EQ(metric.value, 9999.0 / 10000.0);
  EXPECT_EQ(metric.text,
            "99.99% of 10000 rows equal, 1 row differing (2 tables, checksums up "
            "to 2026-11-29)");
  ASSERT_EQ(report.tables.size(), 2U);
  EXPECT_EQ(report.tables[1].table, "users");
  EXPECT_EQ(report.tables[1].differing, 0U);
  // One point per day that had checksums: the 22nd had users only, 5 of 1000 differing.
  ASSERT_EQ(metric.trend.size(), 2U);
  EXPECT_DOUBLE_EQ(metric.trend[0], 99.5);
  EXPECT_EQ(metric.trend_labels[0], "2026-11-22");
  SuccessTargets strict;
  strict.goals.consistency = 0.99995;
  EXPECT_EQ(find(assess_success(history(), strict), "consistency").state, MetricState::not_met);
}

TEST(SuccessMetrics, FailureRateAndRecoveryOverTheLastRuns) {
  const auto report = assess_success(history(), SuccessTargets{});
  const auto& rate = find(report, "failure_rate");
  EXPECT_EQ(rate.state, MetricState::not_met);
  EXPECT_EQ(rate.text, "1 of the last 11 runs failed (9.09%)");
  EXPECT_EQ(rate.trend.size(), 11U);
  const auto& recovered = find(report, "recovery");
  EXPECT_EQ(recovered.state, MetricState::met);
  EXPECT_DOUBLE_EQ(recovered.value, 15 * 60.0); // failed at 1h05m, the next success ended 1h20m
  EXPECT_EQ(recovered.text, "the longest recovery took 15m (1 failure)");
  // Looking back over 4 runs, the failure is out of sight.
  SuccessTargets recent;
  recent.goals.runs = 4;
  EXPECT_EQ(find(assess_success(history(), recent), "failure_rate").state, MetricState::met);
  EXPECT_EQ(find(assess_success(history(), recent), "recovery").text,
            "no failed run in the last 4 runs");
}

TEST(SuccessMetrics, AFailureNotYetRecoveredCountsUntilNow) {
  auto in = history();
  in.invocations.insert(in.invocations.begin(), run(k_start + 7 * 24h, 30min, 1));
  in.now = k_start + 7 * 24h + 30min + 45min;
  const auto report = assess_success(in, SuccessTargets{});
  const auto& recovery = find(report, "recovery");
  EXPECT_EQ(recovery.state, MetricState::not_met);
  EXPECT_EQ(recovery.text, "failing for 45m: no successful run since");
}

TEST(SuccessMetrics, WindowIsTheLastRunsDurationAndDataAgeTheStalestTable) {
  auto in = history();
  const auto report = assess_success(in, SuccessTargets{});
  const auto& window = find(report, "window");
  EXPECT_EQ(window.state, MetricState::met);
  EXPECT_EQ(window.text, "the last run took 1h 9m");
  const auto& age = find(report, "data_age");
  EXPECT_EQ(age.state, MetricState::met);
  EXPECT_EQ(age.text, "the oldest data is 3h 0m old (orders)");
  EXPECT_FALSE(age.trend.empty());
  SuccessTargets tight;
  tight.goals.window = 1h;
  tight.max_age = 2h;
  const auto strict = assess_success(in, tight);
  EXPECT_EQ(find(strict, "window").state, MetricState::not_met);
  EXPECT_EQ(find(strict, "data_age").state, MetricState::not_met);
}

TEST(SuccessMetrics, NothingStoredYetIsNotMeasuredRatherThanMet) {
  SuccessInputs none;
  none.now = k_start;
  const auto report = assess_success(none, SuccessTargets{});
  ASSERT_EQ(report.metrics.size(), 5U);
  for (const auto& metric : report.metrics) {
    EXPECT_EQ(metric.state, MetricState::not_measured) << metric.key;
    EXPECT_NE(metric.text.find("not measured"), std::string::npos) << metric.key;
  }
  // A run in progress is neither a success nor a failure.
  auto running = run(k_start, 0s, 0);
  running.exit_code.reset();
  running.running = true;
  none.invocations = {running};
  EXPECT_EQ(find(assess_success(none, SuccessTargets{}), "failure_rate").state,
            MetricState::not_measured);
}

TEST(SuccessMetrics, TheVerdictLineSaysWhetherAndSinceWhenInPlainWords) {
  const auto report = assess_success(history(), SuccessTargets{});
  EXPECT_EQ(verdict_line(report, 3),
            "PostgreSQL differs from MySQL as of 2026-11-29 03:10 UTC: 2 tables, 1 differing "
            "(1 row), 3 rows in quarantine");
  auto in = history();
  in.checksums.pop_back(); // users alone, in sync on the 29th
  EXPECT_EQ(verdict_line(assess_success(in, SuccessTargets{}), 1),
            "PostgreSQL matches MySQL as of 2026-11-29 03:00 UTC: 1 of 2 tables checked, 0 "
            "differing, 1 row in quarantine");
  EXPECT_NE(verdict_line(SuccessReport{}, 0).find("Not measured yet"), std::string::npos);
}

TEST(SuccessMetrics, PercentagesRoundDownSoANearMissIsNotShownAsMet) {
  EXPECT_EQ(format_percent(0.999), "99.9%");
  EXPECT_EQ(format_percent(0.99899), "99.89%");
  EXPECT_EQ(format_percent(1.0), "100%");
  EXPECT_EQ(format_percent(0.01), "1%");
  EXPECT_EQ(format_percent(1.0 / 52), "1.92%");
}

} // namespace
} // namespace migrate::validate

#include "migrate/report/html_report.hpp"
#include "migrate/report/report_model.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <gtest/gtest.h>

#include <regex>

using namespace migrate;
using namespace migrate::report;

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

RunPoint run(std::uint64_t moved, double seconds, bool ok) {
  RunPoint r;
  r.started = "2026-11-2" + std::to_string(moved % 10) + "T02:00:00Z";
  r.mode = "incremental";
  r.ok = ok;
  r.rows_moved = moved;
  r.seconds = seconds;
  r.error = ok ? "" : "connection lost <to> \"pg\" & co";
  return r;
}

ReportModel model_with(std::vector<RunPoint> runs) {
  ReportModel model;
  model.generated_at = "2026-11-30T08:00:00Z";
  model.state_file = "/var/lib/migrate/state.db";
  model.last = 20;
  TableSection t;
  t.table = "orders";
  t.runs = std::move(runs);
  t.quarantined = 3;
  t.data_age = std::chrono::hours(50);
  t.data_age_basis = "upper bound 2026-11-28 06:00:00 of the run of 2026-11-28T06:00:05Z";
  model.tables.push_back(std::move(t));
  return model;
}

} // namespace

TEST(HtmlReport, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(html_escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;");
  EXPECT_EQ(html_escape("plain"), "plain");
}

TEST(HtmlReport, ATableNameOrErrorCannotInjectMarkup) {
  auto model = model_with({run(5, 1.0, false)});
  model.tables[0].table = "<img src=x onerror=alert(1)>";
  ValidationPoint v;
  v.at = "2026-11-30T07:00:00Z";
  v.outcome = "mismatch";
  v.summary = "DIFFERS: </td><script>";
  model.tables[0].validations.push_back(v);
  const auto html = render_html(model);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(html.find("connection lost &lt;to&gt; &quot;pg&quot; &amp; co"), std::string::npos);
}

TEST(HtmlReport, ChartsWithNoOneAndManyRuns) {
  const auto none = svg_bar_chart("Rows moved", {}, {}, {}, "rows");
  EXPECT_EQ(occurrences(none, "<rect"), 0U);
  EXPECT_NE(none.find("no runs yet"), std::string::npos);

  const auto one = svg_bar_chart("Rows moved", {0}, {"a"}, {false}, "rows");
  EXPECT_EQ(occurrences(one, "<rect"), 1U); // a zero still shows as a sliver, never NaN
  EXPECT_EQ(one.find("nan"), std::string::npos);

  std::vector<double> values;
  std::vector<std::string> labels;
  std::vector<bool> failed;
  for (int i = 0; i < 30; ++i) {
    values.push_back(i * 10.0);
    labels.push_back("run " + std::to_string(i));
    failed.push_back(i == 7);
  }
  const auto many = svg_bar_chart("Duration", values, labels, failed, "s");
  EXPECT_EQ(occurrences(many, "<rect"), 30U);
  EXPECT_EQ(occurrences(many, "#c62828"), 1U);      // the failed run
  EXPECT_NE(many.find(">290<"), std::string::npos); // the axis shows the largest value
  EXPECT_NE(many.find("run 29: 290 s"), std::string::npos);
  EXPECT_NE(many.find(">run</text>"), std::string::npos); // the ends under the axis
  EXPECT_NE(one.find(">a</text>"), std::string::npos);
}

TEST(HtmlReport, ThePageIsSelfContained) {
  const auto html = render_html(model_with({run(5, 1.5, true), run(7, 2.0, false)}));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_FALSE(std::regex_search(
      html, std::regex("https?:|//[a-z]|<script|<link|<img|@import|url\\(", std::regex::icase)));
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<svg"), 3U);
}

TEST(HtmlReport, ShowsTheSummaryFailuresAgeAndQuarantine) {
  const auto html = render_html(model_with({run(5, 1.5, true), run(7, 2.0, false)}));
  EXPECT_NE(html.find("1 failed"), std::string::npos);
  // The totals of the last run: the newest run of each table.
  EXPECT_NE(html.find("<tr><th>total</th><th></th><th></th><th></th><td class=\"num\">7</td>"
                      "<td class=\"num\">2.0 s</td>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("2 d 2 h"), std::string::npos);
  EXPECT_NE(html.find("In quarantine now: <b>3</b>"), std::string::npos);
  EXPECT_EQ(html.find("No failed run"), std::string::npos);
  // Wide tables scroll in their own box, so that the page never scrolls sideways on a phone.
  EXPECT_NE(html.find("<h2>Failures</h2>\n<div class=\"wide\"><table>"), std::string::npos);
  const auto clean = render_html(model_with({run(5, 1.5, true)}));
  EXPECT_NE(clean.find("No failed run in the last 20 runs"), std::string::npos);
  EXPECT_NE(clean.find("0 failed"), std::string::npos);
}

// The first screen: the verdict, then one card per success metric with its state and chart.
TEST(HtmlReport, OpensWithTheVerdictAndTheSuccessMetrics) {
  auto model = model_with({run(5, 1.5, true)});
  validate::Metric consistency{"consistency", "Data consistency", validate::MetricState::met};
  consistency.text = "100% of 10 rows equal";
  consistency.trend = {100.0};
  consistency.trend_labels = {"2026-12-06"};
  consistency.trend_unit = "%";
  model.success.metrics = {consistency, validate::Metric{"recovery", "Recovery from a failure"}};
  model.success.tables = {{"users", 10, 0, "2026-12-06T02:41:00Z"}};
  model.success.tables_mapped = 1;
  const auto html = render_html(model);
  const auto verdict = html.find("<p id=\"verdict\" class=\"verdict ok\">PostgreSQL matches "
                                 "MySQL as of 2026-12-06 02:41 UTC: 1 table, 0 differing");
  EXPECT_NE(verdict, std::string::npos) << html;
  EXPECT_LT(verdict, html.find("<h2>Last run</h2>"));
  EXPECT_NE(html.find("<h3>Data consistency: <span class=\"ok\">met</span></h3>"),
            std::string::npos);
  EXPECT_NE(html.find("<h3>Recovery from a failure: <span class=\"none\">not measured</span>"),
            std::string::npos);
  EXPECT_NE(html.find("name=\"viewport\""), std::string::npos);
}

TEST(HtmlReport, FormatsAges) {
  EXPECT_EQ(format_age(std::chrono::seconds(42)), "42 s");
  EXPECT_EQ(format_age(std::chrono::minutes(5)), "5 min");
  EXPECT_EQ(format_age(std::chrono::minutes(125)), "2 h 5 min");
  EXPECT_EQ(format_age(std::chrono::hours(76)), "3 d 4 h");
}

TEST(ReportModel, DataAgeCountsFromTheLastSuccessfulRunsUpperBound) {
  const auto now = std::chrono::system_clock::from_time_t(1'764'489'600); // 2025-11-30T08:00:00Z
  std::vector<state::RunRecord> runs(3);
  runs[0].result.outcome = Outcome::ok;
  runs[0].result.upper_bound = "2025-11-29 08:00:00.000000";
  runs[1].result.outcome = Outcome::ok;
  runs[1].result.upper_bound = "2025-11-30 06:00:00";
  runs[2].result.outcome = Outcome::failed;
  runs[2].result.upper_bound = "2025-11-30 07:59:00";
  std::string basis;
  EXPECT_EQ(data_age(runs, now, basis), std::chrono::seconds(2 * 3600));
  EXPECT_NE(basis.find("upper bound 2025-11-30 06:00:00"), std::string::npos);

  // Without an upper bound (no timestamp column): from the run's finish.
  runs[1].result.upper_bound.clear();
  runs[1].result.finished = now - std::chrono::minutes(30);
  EXPECT_EQ(data_age(runs, now, basis), std::chrono::seconds(1800));
  EXPECT_NE(basis.find("finish"), std::string::npos);

  runs[0].result.outcome = runs[1].result.outcome = Outcome::failed;
  EXPECT_FALSE(data_age(runs, now, basis).has_value());
  EXPECT_FALSE(data_age({}, now, basis).has_value());
}

TEST(ReportModel, BuildsFromTheStateStore) {
  auto store = state::open_sqlite_state(":memory:");
  const auto id = store->begin_run("orders");
  TableResult result;
  result.table = "orders";
  result.mode = RunMode{Pass::initial, false};
  result.counts.inserted = 12;
  result.started = std::chrono::system_clock::now() - std::chrono::seconds(3);
  result.finished = result.started + std::chrono::seconds(2);
  store->finish_run(id, result);
  store->quarantine({{"orders", "id=4", "total", "too big", "39", id, ""},
                     {"orders", "id=4", "note", "bad text", "ff", id, ""}});
  state::ValidationRecord v;
  v.table = "orders";
  v.outcome = Agreement::quarantine;
  v.summary = "1 in quarantine";
  store->record_validation(v);
  const auto model =
      build_model(*store, {"orders", "never_ran"}, 5, std::chrono::system_clock::now());
  ASSERT_EQ(model.tables.size(), 2U);
  const auto& orders = model.tables[0];
  ASSERT_EQ(orders.runs.size(), 1U);
  EXPECT_EQ(orders.runs[0].rows_moved, 12U);
  EXPECT_NEAR(orders.runs[0].seconds, 2.0, 0.01);
  EXPECT_EQ(orders.quarantined, 1U); // one row, two columns
  ASSERT_EQ(orders.validations.size(), 1U);
  EXPECT_EQ(orders.validations[0].summary, "1 in quarantine");
  ASSERT_TRUE(orders.data_age.has_value());
  EXPECT_LE(orders.data_age->count(), 5);
  EXPECT_TRUE(model.tables[1].runs.empty());
  EXPECT_FALSE(model.tables[1].data_age.has_value());
  const auto html = render_html(model);
  EXPECT_NE(html.find("never_ran"), std::string::npos);
}

#include "migrate/validate/success_metrics.hpp"

#include "migrate/core/log_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace migrate::validate {
namespace {

using Clock = std::chrono::system_clock;

// equal / rows as a fraction; 1 for no rows.
double share(std::uint64_t equal, std::uint64_t rows) {
  return rows == 0 ? 1.0 : static_cast<double>(equal) / static_cast<double>(rows);
}

std::string date_of(Clock::time_point time) {
  return format_utc(time).substr(0, 10);
}

std::string duration_text(double seconds) {
  return format_age(std::chrono::seconds(static_cast<long long>(std::llround(seconds))));
}

// The invocations that ended (or died), oldest first: the last `runs` of them.
std::vector<const state::Invocation*> ended_runs(const SuccessInputs& inputs, std::size_t runs) {
  std::vector<const state::Invocation*> out;
  for (const auto& invocation : inputs.invocations) {
    if (!invocation.exit_code && invocation.running) {
      continue; // in progress: neither a success nor a failure yet
    }
    out.push_back(&invocation);
    if (out.size() == runs) {
      break;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

bool failed(const state::Invocation& invocation) {
  return !invocation.exit_code || *invocation.exit_code != 0;
}

Metric met_if(Metric metric, bool met) {
  metric.state = met ? MetricState::met : MetricState::not_met;
  return metric;
}

// Each table's newest checksum, and the overall share of rows equal.
Metric consistency(const SuccessInputs& inputs,
                   const SuccessTargets& targets,
                   std::vector<TableConsistency>& tables) {
  Metric metric{"consistency", "Data consistency"};
  metric.target = targets.goals.consistency;
  metric.target_text = "at least " + format_percent(targets.goals.consistency) + " of rows equal";
  metric.trend_unit = "%";
  std::map<std::string, const state::ValidationRecord*> newest;
  std::map<std::string, std::map<std::string, const state::ValidationRecord*>> by_day;
  for (const auto& v : inputs.checksums) {
    if (!v.checksum || v.outcome == Agreement::error) {
      continue;
    }
    auto& slot = newest[v.table];
    slot = slot == nullptr || slot->at < v.at ? &v : slot;
    auto& day = by_day[v.at.substr(0, 10)][v.table];
    day = day == nullptr || day->at < v.at ? &v : day;
  }
  std::uint64_t rows = 0;
  std::uint64_t differing = 0;
  std::string latest;
  for (const auto& [table, v] : newest) {
    tables.push_back({table, v->source_rows, std::min(v->unexplained, v->source_rows), v->at});
    rows += tables.back().rows;
    differing += tables.back().differing;
    latest = std::max(latest, v->at);
  }
  for (const auto& [day, per_table] : by_day) {
    std::uint64_t day_rows = 0;
    std::uint64_t day_differing = 0;
    for (const auto& [table, v] : per_table) {
      day_rows += v->source_rows;
      day_differing += std::min(v->unexplained, v->source_rows);
    }
    metric.trend.push_back(100.0 * share(day_rows - day_differing, day_rows));
    metric.trend_labels.push_back(day);
  }
  if (tables.empty()) {
    metric.text = "not measured: no checksum validation stored yet (migrate validate --checksum)";
    return metric;
  }
  metric.value = share(rows - differing, rows);
  metric.text = format_percent(metric.value) + " of " + counted(rows, "row") + " equal, "
                + counted(differing, "row") + " differing (" + counted(tables.size(), "table")
                + ", checksums up to " + latest.substr(0, 10) + ")";
  return met_if(metric, metric.value >= targets.goals.consistency);
}

Metric window(const std::vector<const state::Invocation*>& runs, const SuccessTargets& targets) {
  Metric metric{"window", "Run inside its window"};
  metric.target = static_cast<double>(targets.goals.window.count());
  metric.target_text = "at most " + format_age(targets.goals.window);
  metric.trend_unit = "h";
  for (const auto* run : runs) {
    metric.trend.push_back(run->seconds() / 3600.0);
    metric.trend_labels.push_back(date_of(run->started));
  }
  if (runs.empty()) {
    metric.text = "not measured: no run has finished yet";
    return metric;
  }
  metric.value = runs.back()->seconds();
  metric.text = "the last run took " + duration_text(metric.value);
  return met_if(metric, metric.value <= metric.target);
}

Metric failure_rate(const std::vector<const state::Invocation*>& runs,
                    const SuccessTargets& targets) {
  Metric metric{"failure_rate", "Failed runs"};
  metric.target = targets.goals.failure_rate;
  metric.target_text = "at most " + format_percent(targets.goals.failure_rate) + " of the last "
                       + counted(targets.goals.runs, "run");
  metric.trend_unit = "failed";
  std::size_t failures = 0;
  for (const auto* run : runs) {
    failures += failed(*run) ? 1U : 0U;
    metric.trend.push_back(failed(*run) ? 1.0 : 0.0);
    metric.trend_labels.push_back(date_of(run->started));
  }
  if (runs.empty()) {
    metric.text = "not measured: no run has finished yet";
    return metric;
  }
  metric.value = share(failures, runs.size());
  metric.text = std::to_string(failures) + " of the last " + counted(runs.size(), "run")
                + " failed (" + format_percent(metric.value) + ")";
  return met_if(metric, metric.value <= targets.goals.failure_rate);
}

// From the end of each failed run (the first of a series) to the end of the next successful one;
// a failure not yet followed by a success counts until now.
Metric recovery(const std::vector<const state::Invocation*>& runs,
                const SuccessInputs& inputs,
                const SuccessTargets& targets) {
  Metric metric{"recovery", "Recovery from a failure"};
  metric.target = static_cast<double>(targets.goals.recovery.count());
  metric.target_text = "within " + format_age(targets.goals.recovery);
  metric.trend_unit = "min";
  std::optional<Clock::time_point> failed_at;
  double worst = 0;
  for (const auto* run : runs) {
    if (failed(*run)) {
      failed_at = failed_at.value_or(run->finished);
      continue;
    }
    if (failed_at) {
      const double seconds = std::chrono::duration<double>(run->finished - *failed_at).count();
      worst = std::max(worst, seconds);
      metric.trend.push_back(seconds / 60.0);
      metric.trend_labels.push_back(date_of(run->finished));
      failed_at.reset();
    }
  }
  if (failed_at) {
    worst = std::max(worst, std::chrono::duration<double>(inputs.now - *failed_at).count());
  }
  if (runs.empty()) {
    metric.text = "not measured: no run has finished yet";
    return metric;
  }
  metric.value = worst;
  if (failed_at) {
    metric.text = "failing for " + duration_text(worst) + ": no successful run since";
  } else if (metric.trend.empty()) {
    metric.text = "no failed run in the last " + counted(runs.size(), "run");
  } else {
    metric.text = "the longest recovery took " + duration_text(worst) + " ("
                  + counted(metric.trend.size(), "failure") + ")";
  }
  return met_if(metric, !failed_at && worst <= metric.target);
}

// The stalest table's data against max_age; the trend is how long the data aged between two
// successful runs, the most it reaches before each refresh.
Metric data_age(const std::vector<const state::Invocation*>& runs,
                const SuccessInputs& inputs,
                const SuccessTargets& targets) {
  Metric metric{"data_age", "Data age"};
  metric.target = static_cast<double>(targets.max_age.count());
  metric.target_text = "at most " + format_age(targets.max_age) + " behind (max_age)";
  metric.trend_unit = "d";
  std::optional<Clock::time_point> previous;
  for (const auto* run : runs) {
    if (failed(*run)) {
      continue;
    }
    if (previous) {
      metric.trend.push_back(std::chrono::duration<double>(run->finished - *previous).count()
                             / 86400.0);
      metric.trend_labels.push_back(date_of(run->finished));
    }
    previous = run->finished;
  }
  const std::pair<std::string, Freshness>* oldest = nullptr;
  for (const auto& age : inputs.ages) {
    if (age.second.age && (oldest == nullptr || *oldest->second.age < *age.second.age)) {
      oldest = &age;
    }
  }
  if (oldest == nullptr) {
    metric.text = "not measured: no table has synced yet";
    return metric;
  }
  metric.value = static_cast<double>(oldest->second.age->count());
  metric.text =
      "the oldest data is " + format_age(*oldest->second.age) + " old (" + oldest->first + ")";
  return met_if(metric, metric.value <= metric.target);
}

} // namespace

double TableConsistency::ratio() const {
  return share(rows - differing, rows);
}

const char* to_string(MetricState state) {
  switch (state) {
  case MetricState::met:
    return "met";
  case MetricState::not_met:
    return "not met";
  case MetricState::not_measured:
    return "not measured";
  }
  return "not measured";
}

std::string format_percent(double fraction) {
  // Rounded down, so that 99.8999% never reads as a met 99.90%.
  const double percent = std::floor(fraction * 100.0 * 100.0 + 1e-9) / 100.0;
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", percent);
  std::string out = text;
  while (out.back() == '0') {
    out.pop_back();
  }
  if (out.back() == '.') {
    out.pop_back();
  }
  return out + "%";
}

std::string verdict_line(const SuccessReport& report, std::uint64_t quarantined_rows) {
  if (report.tables.empty()) {
    return "Not measured yet whether PostgreSQL matches MySQL: no checksum validation is stored "
           "(migrate validate --checksum)";
  }
  std::string newest;
  std::size_t differing_tables = 0;
  std::uint64_t differing_rows = 0;
  for (const auto& table : report.tables) {
    newest = std::max(newest, table.measured_at);
    differing_tables += table.differing > 0 ? 1U : 0U;
    differing_rows += table.differing;
  }
  // "2026-12-06T02:41:00Z" → "2026-12-06 02:41 UTC"
  const auto as_of =
      newest.size() >= 16 ? newest.substr(0, 10) + " " + newest.substr(11, 5) + " UTC" : newest;
  return std::string(differing_tables == 0 ? "PostgreSQL matches MySQL"
                                           : "PostgreSQL differs from MySQL")
         + " as of " + as_of + ": "
         + (report.tables.size() < report.tables_mapped
                ? std::to_string(report.tables.size()) + " of "
                      + counted(report.tables_mapped, "table") + " checked, "
                : counted(report.tables.size(), "table") + ", ")
         + std::to_string(differing_tables) + " differing"
         + (differing_rows > 0 ? " (" + counted(differing_rows, "row") + ")" : "") + ", "
         + counted(quarantined_rows, "row") + " in quarantine";
}

SuccessReport assess_success(const SuccessInputs& inputs, const SuccessTargets& targets) {
  SuccessReport report;
  const auto runs = ended_runs(inputs, targets.goals.runs);
  report.tables_mapped = inputs.ages.size();
  report.metrics.push_back(consistency(inputs, targets, report.tables));
  report.metrics.push_back(window(runs, targets));
  report.metrics.push_back(failure_rate(runs, targets));
  report.metrics.push_back(recovery(runs, inputs, targets));
  report.metrics.push_back(data_age(runs, inputs, targets));
  return report;
}

} // namespace migrate::validate

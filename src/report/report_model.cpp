#include "migrate/report/report_model.hpp"

#include "migrate/core/log_text.hpp"

#include <ctime>
#include <set>

namespace migrate::report {
namespace {

// "YYYY-MM-DD HH:MM:SS[.ffffff]" read as UTC; nullopt when it is not such a time.
std::optional<std::chrono::system_clock::time_point> parse_bound(const std::string& text) {
  std::tm parts{};
  const char* end = strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &parts);
  if (end == nullptr) {
    end = strptime(text.c_str(), "%Y-%m-%d", &parts);
  }
  if (end == nullptr) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(timegm(&parts));
}

RunPoint run_point(const state::RunRecord& record) {
  const auto& r = record.result;
  RunPoint point;
  point.started = format_utc(r.started);
  point.mode = to_string(r.mode);
  point.ok = r.outcome == Outcome::ok && !record.unfinished;
  point.unfinished = record.unfinished;
  point.rows_read = r.counts.rows_read;
  point.rows_moved = r.counts.moved();
  point.quarantined = r.counts.quarantined;
  point.seconds = r.seconds();
  point.error = first_line(r.error_text());
  return point;
}

ValidationPoint validation_point(const state::ValidationRecord& v) {
  ValidationPoint point;
  point.at = v.at;
  point.checksum = v.checksum;
  point.outcome = to_string(v.outcome);
  point.summary = v.summary;
  point.source_rows = v.source_rows;
  point.target_rows = v.target_rows;
  point.differing_rows = v.unexplained;
  point.repaired = v.repaired;
  return point;
}

} // namespace

std::optional<std::chrono::seconds> data_age(const std::vector<state::RunRecord>& runs,
                                             std::chrono::system_clock::time_point now,
                                             std::string& basis) {
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const auto& r = it->result;
    if (it->unfinished || r.outcome != Outcome::ok) {
      continue;
    }
    auto from = r.finished;
    basis = "finish of the run of " + format_utc(r.started);
    if (const auto bound = parse_bound(r.upper_bound)) {
      from = *bound;
      basis = "upper bound " + r.upper_bound + " of the run of " + format_utc(r.started);
    }
    return std::chrono::duration_cast<std::chrono::seconds>(now - from);
  }
  basis = "no successful run";
  return std::nullopt;
}

ReportModel build_model(state::StateStore& state,
                        const std::vector<std::string>& tables,
                        std::size_t last,
                        std::chrono::system_clock::time_point now) {
  ReportModel model;
  model.generated_at = format_utc(now);
  model.last = last;
  for (const auto& table : tables) {
    TableSection section;
    section.table = table;
    const auto runs = state.runs(table, last);
    for (const auto& record : runs) {
      section.runs.push_back(run_point(record));
    }
    section.data_age = data_age(runs, now, section.data_age_basis);
    if (!section.data_age && runs.size() == last) {
      // The newest success may be older than the runs shown.
      section.data_age = data_age(state.runs(table, 100000), now, section.data_age_basis);
    }
    for (const auto& v : state.validations(table, last, false)) {
      section.validations.push_back(validation_point(v));
    }
    std::set<std::string> keys; // a row refused for two columns is one row
    for (const auto& entry : state.quarantined(table)) {
      keys.insert(entry.key);
    }
    section.quarantined = keys.size();
    model.tables.push_back(std::move(section));
  }
  return model;
}

} // namespace migrate::report

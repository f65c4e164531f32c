// `migrate report --html`: one self-contained HTML page of the run history, validations,
// quarantine and data age kept in the state file. The model is plain values (report_model.hpp
// builds it from a StateStore); rendering is pure code, model to string, with inline CSS and
// inline SVG only: the page loads nothing from anywhere, so it can be mailed or archived.
#pragma once

#include "migrate/validate/success_metrics.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate::report {

struct RunPoint {
  std::string started; // UTC, "2026-11-25T02:00:00Z"
  std::string mode;
  bool ok = true;
  bool unfinished = false;
  std::uint64_t rows_read = 0;
  std::uint64_t rows_moved = 0; // inserted + updated + deleted
  std::uint64_t quarantined = 0;
  double seconds = 0;
  std::string error; // its first line only
};

struct ValidationPoint {
  std::string at;
  bool checksum = false;
  std::string outcome; // "in sync", "behind", "quarantine", "mismatch", "error"
  std::string summary;
  std::uint64_t source_rows = 0;
  std::uint64_t target_rows = 0;
  std::uint64_t differing_rows = 0;
  bool repaired = false;
};

struct TableSection {
  std::string table;
  std::vector<RunPoint> runs;               // oldest first
  std::vector<ValidationPoint> validations; // oldest first
  std::uint64_t quarantined = 0;            // rows in quarantine now
  // Now minus the newest data PostgreSQL is known to hold; nullopt when no run succeeded.
  std::optional<std::chrono::seconds> data_age;
  std::string data_age_basis; // what the age is measured from, for the reader
};

struct ReportModel {
  std::string generated_at; // UTC
  std::string state_file;
  std::size_t last = 0; // runs per table asked for
  std::vector<TableSection> tables;
  validate::SuccessReport success; // the first screen: are we in sync, and the five metrics
};

// The whole page.
std::string render_html(const ReportModel& model);

// Text safe in HTML element content and in quoted attribute values.
std::string html_escape(std::string_view text);

// "3 d 4 h", "2 h 5 min", "42 s".
std::string format_age(std::chrono::seconds age);

// An inline SVG bar chart, one bar per value, oldest left; a note instead of bars when there are
// none. `labels` (one per value) become each bar's tooltip; bars whose `failed` is true are drawn
// in the failure colour. The first and last labels, up to their first space, are printed under the
// axis.
std::string svg_bar_chart(const std::string& title,
                          const std::vector<double>& values,
                          const std::vector<std::string>& labels,
                          const std::vector<bool>& failed,
                          const std::string& unit);

} // namespace migrate::report

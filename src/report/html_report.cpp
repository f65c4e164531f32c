#include "migrate/report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace migrate::report {
namespace {

const char* const k_style = R"css(
body { font-family: sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; font-size: 13px; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #176b2c; font-weight: bold; }
.bad { color: #b00020; font-weight: bold; }
.warn { color: #8a5a00; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.none { color: #666; font-style: italic; }
.wide { overflow-x: auto; max-width: 100%; }
svg { max-width: 100%; height: auto; }
p.verdict { font-size: 20px; margin: 12px 0; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 12px; }
.metric { border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; }
.metric h3 { margin: 0 0 4px; }
.metric p { margin: 2px 0; font-size: 13px; }
@media (max-width: 600px) { body { margin: 8px; } p.verdict { font-size: 17px; } }
)css";

constexpr int k_chart_width = 520;
constexpr int k_chart_height = 150;
constexpr int k_chart_left = 56;
constexpr int k_chart_top = 24;
constexpr int k_chart_bottom = 20;

std::string number(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// Enough digits to tell small values apart: 1234, 12.3, 0.042.
std::string short_number(double value, bool whole) {
  if (whole || value >= 100) {
    return number(value, 0);
  }
  return number(value, value >= 1 ? 1 : 3);
}

std::string cell(const std::string& text, const char* css_class = nullptr) {
  return std::string("<td") + (css_class ? std::string(" class=\"") + css_class + "\"" : "") + ">"
         + html_escape(text) + "</td>";
}

std::string num_cell(std::uint64_t value) {
  return cell(std::to_string(value), "num");
}

const char* outcome_class(const std::string& outcome) {
  if (outcome == "ok" || outcome == "in sync") {
    return "ok";
  }
  if (outcome == "behind" || outcome == "quarantine" || outcome == "running") {
    return "warn";
  }
  return "bad";
}

std::string run_outcome(const RunPoint& run) {
  return run.unfinished ? "did not finish" : run.ok ? "ok" : "failed";
}

std::string age_text(const TableSection& t) {
  return t.data_age ? format_age(*t.data_age) : "unknown";
}

std::string summary_row(const TableSection& t) {
  std::string row = "<tr>" + cell(t.table);
  if (t.runs.empty()) {
    row += cell("never") + cell("-") + cell("-") + cell("-") + cell("-") + cell("-");
  } else {
    const auto& r = t.runs.back();
    const auto outcome = run_outcome(r);
    row += cell(r.started) + cell(r.mode.empty() ? "-" : r.mode)
           + cell(outcome, outcome_class(outcome)) + num_cell(r.rows_moved)
           + cell(short_number(r.seconds, false) + " s", "num") + num_cell(r.quarantined);
  }
  row += num_cell(t.quarantined) + cell(age_text(t));
  if (t.validations.empty()) {
    row += cell("never");
  } else {
    const auto& v = t.validations.back();
    row += cell(v.at + ": " + v.summary, outcome_class(v.outcome));
  }
  return row + "</tr>\n";
}

const char* metric_class(validate::MetricState state) {
  switch (state) {
  case validate::MetricState::met:
    return "ok";
  case validate::MetricState::not_met:
    return "bad";
  case validate::MetricState::not_measured:
    return "none";
  }
  return "none";
}

std::string metric_card(const validate::Metric& metric) {
  std::vector<bool> failed;
  if (metric.key == "failure_rate") {
    for (const double value : metric.trend) {
      failed.push_back(value > 0);
    }
  }
  return "<div class=\"metric\">\n<h3>" + html_escape(metric.title) + ": <span class=\""
         + metric_class(metric.state) + "\">" + validate::to_string(metric.state)
         + "</span></h3>\n<p>" + html_escape(metric.text)
         + "</p>\n<p class=\"meta\">Target: " + html_escape(metric.target_text) + "</p>\n"
         + svg_bar_chart(metric.title, metric.trend, metric.trend_labels, failed, metric.trend_unit)
         + "</div>\n";
}

// The first screen: are we in sync, and since when; then the five success metrics.
std::string success_section(const ReportModel& model) {
  std::uint64_t quarantined = 0;
  for (const auto& t : model.tables) {
    quarantined += t.quarantined;
  }
  const auto& metrics = model.success.metrics;
  const auto consistency = std::find_if(
      metrics.begin(), metrics.end(), [](const auto& m) { return m.key == "consistency"; });
  const auto* verdict_class =
      consistency == metrics.end() ? "none" : metric_class(consistency->state);
  std::string out = "<h2>Are we in sync?</h2>\n<p id=\"verdict\" class=\"verdict "
                    + std::string(verdict_class) + "\">"
                    + html_escape(validate::verdict_line(model.success, quarantined))
                    + ".</p>\n<div class=\"metrics\">\n";
  for (const auto& metric : metrics) {
    out += metric_card(metric);
  }
  return out + "</div>\n";
}

std::string summary(const ReportModel& model) {
  std::size_t failed = 0;
  std::size_t never = 0;
  for (const auto& t : model.tables) {
    never += t.runs.empty() ? 1U : 0U;
    failed += !t.runs.empty() && !t.runs.back().ok ? 1U : 0U;
  }
  std::string out = "<h2>Last run</h2>\n<p>" + std::to_string(model.tables.size())
                    + " tables: " + "<span class=\"" + (failed == 0 ? "ok" : "bad") + "\">"
                    + std::to_string(failed) + " failed</span>, "
                    + std::to_string(model.tables.size() - failed - never) + " ok"
                    + (never > 0 ? ", " + std::to_string(never) + " never ran" : "") + ".</p>\n";
  out += "<div class=\"wide\"><table>\n<tr><th>table</th><th>started "
         "(UTC)</th><th>mode</th><th>outcome</th>"
         "<th>rows moved</th><th>duration</th><th>quarantined by the run</th>"
         "<th>in quarantine now</th><th>data age</th><th>last validation</th></tr>\n";
  std::uint64_t moved = 0;
  std::uint64_t quarantined = 0;
  std::uint64_t held = 0;
  double seconds = 0;
  for (const auto& t : model.tables) {
    out += summary_row(t);
    held += t.quarantined;
    if (!t.runs.empty()) {
      moved += t.runs.back().rows_moved;
      quarantined += t.runs.back().quarantined;
      seconds += t.runs.back().seconds;
    }
  }
  out += "<tr><th>total</th><th></th><th></th><th></th>" + num_cell(moved)
         + cell(short_number(seconds, false) + " s", "num") + num_cell(quarantined) + num_cell(held)
         + "<th></th><th></th></tr>\n";
  return out + "</table></div>\n";
}

std::string failures(const ReportModel& model) {
  std::string rows;
  for (const auto& t : model.tables) {
    for (const auto& r : t.runs) {
      if (!r.ok) {
        rows += "<tr>" + cell(t.table) + cell(r.started) + cell(run_outcome(r), "bad")
                + cell(r.error.empty() ? "-" : r.error) + "</tr>\n";
      }
    }
  }
  std::string out = "<h2>Failures</h2>\n";
  if (rows.empty()) {
    return out + "<p class=\"none\">No failed run in the last " + std::to_string(model.last)
           + " runs of any table.</p>\n";
  }
  return out
         + "<div class=\"wide\"><table>\n<tr><th>table</th><th>started (UTC)</th><th>outcome</th>"
           "<th>first line of the error</th></tr>\n"
         + rows + "</table></div>\n";
}

std::string validations(const TableSection& t) {
  std::string out = "<h3>Validations</h3>\n";
  if (t.validations.empty()) {
    return out + "<p class=\"none\">Never validated.</p>\n";
  }
  out += "<div class=\"wide\"><table>\n<tr><th>time (UTC)</th><th>kind</th><th>MySQL rows</th>"
         "<th>PostgreSQL rows</th><th>result</th></tr>\n";
  for (auto it = t.validations.rbegin(); it != t.validations.rend(); ++it) {
    out += "<tr>" + cell(it->at)
           + cell(std::string(it->checksum ? "checksum" : "counts")
                  + (it->repaired ? ", after repair" : ""))
           + num_cell(it->source_rows) + num_cell(it->target_rows)
           + cell(it->summary, outcome_class(it->outcome)) + "</tr>\n";
  }
  return out + "</table></div>\n";
}

std::string table_section(const TableSection& t) {
  std::string out = "<h2>" + html_escape(t.table) + "</h2>\n";
  out += "<p>Data age: <b>" + html_escape(age_text(t)) + "</b> (" + html_escape(t.data_age_basis)
         + "). In quarantine now: <b>" + std::to_string(t.quarantined) + "</b> rows.</p>\n";
  std::vector<double> moved;
  std::vector<double> seconds;
  std::vector<double> quarantined;
  std::vector<std::string> labels;
  std::vector<bool> failed;
  for (const auto& r : t.runs) {
    moved.push_back(static_cast<double>(r.rows_moved));
    seconds.push_back(r.seconds);
    quarantined.push_back(static_cast<double>(r.quarantined));
    labels.push_back(r.started + " " + r.mode + " " + run_outcome(r));
    failed.push_back(!r.ok);
  }
  out += "<div class=\"charts\">\n" + svg_bar_chart("Rows moved", moved, labels, failed, "rows")
         + svg_bar_chart("Duration", seconds, labels, failed, "s")
         + svg_bar_chart("Rows quarantined", quarantined, labels, failed, "rows") + "</div>\n";
  return out + validations(t);
}

// The first and last labels up to their first space (the run's time), under the axis's ends.
std::string axis_labels(const std::vector<std::string>& labels, int base) {
  if (labels.empty()) {
    return {};
  }
  const auto y = std::to_string(base + 14);
  const auto head = [](const std::string& label) {
    return label.substr(0, label.find(' '));
  };
  std::string out = "<text x=\"" + std::to_string(k_chart_left) + "\" y=\"" + y
                    + "\" font-size=\"10\" fill=\"#555\">" + html_escape(head(labels.front()))
                    + "</text>\n";
  if (labels.size() > 1) {
    out += "<text x=\"" + std::to_string(k_chart_width - 8) + "\" y=\"" + y
           + "\" font-size=\"10\" fill=\"#555\" text-anchor=\"end\">"
           + html_escape(head(labels.back())) + "</text>\n";
  }
  return out;
}

} // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string format_age(std::chrono::seconds age) {
  const auto s = age.count();
  if (s < 0) {
    return "0 s (the bound is ahead of this clock)";
  }
  if (s < 60) {
    return std::to_string(s) + " s";
  }
  if (s < 3600) {
    return std::to_string(s / 60) + " min";
  }
  if (s < 86400) {
    return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  }
  return std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

std::string svg_bar_chart(const std::string& title,
                          const std::vector<double>& values,
                          const std::vector<std::string>& labels,
                          const std::vector<bool>& failed,
                          const std::string& unit) {
  const int plot_width = k_chart_width - k_chart_left - 8;
  const int plot_height = k_chart_height - k_chart_top - k_chart_bottom;
  const int base = k_chart_top + plot_height;
  std::string out = "<svg width=\"" + std::to_string(k_chart_width) + "\" height=\""
                    + std::to_string(k_chart_height) + "\" viewBox=\"0 0 "
                    + std::to_string(k_chart_width) + " " + std::to_string(k_chart_height)
                    + "\" role=\"img\" aria-label=\"" + html_escape(title) + "\">\n<title>"
                    + html_escape(title) + "</title>\n";
  out += "<text x=\"4\" y=\"16\" font-size=\"13\" font-weight=\"bold\">" + html_escape(title) + " ("
         + html_escape(unit) + ")</text>\n";
  out += "<line x1=\"" + std::to_string(k_chart_left) + "\" y1=\"" + std::to_string(base)
         + "\" x2=\"" + std::to_string(k_chart_left + plot_width) + "\" y2=\""
         + std::to_string(base) + "\" stroke=\"#888\"/>\n";
  if (values.empty()) {
    return out + "<text x=\"" + std::to_string(k_chart_left + 8) + "\" y=\""
           + std::to_string(base - plot_height / 2) + "\" font-size=\"12\" fill=\"#666\">"
           + "no runs yet</text>\n</svg>\n";
  }
  const double top = std::max(*std::max_element(values.begin(), values.end()), 1e-9);
  const bool whole =
      std::all_of(values.begin(), values.end(), [](double v) { return v == std::floor(v); });
  out += "<text x=\"" + std::to_string(k_chart_left - 4) + "\" y=\""
         + std::to_string(k_chart_top + 4) + "\" font-size=\"11\" text-anchor=\"end\">"
         + short_number(top, whole) + "</text>\n<text x=\"" + std::to_string(k_chart_left - 4)
         + "\" y=\"" + std::to_string(base) + "\" font-size=\"11\" text-anchor=\"end\">0</text>\n";
  const double slot = static_cast<double>(plot_width) / static_cast<double>(values.size());
  const double bar = std::max(1.0, std::min(slot * 0.8, 40.0));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double height = std::max(0.0, values[i]) / top * plot_height;
    const double x = k_chart_left + slot * static_cast<double>(i) + (slot - bar) / 2;
    const bool bad = i < failed.size() && failed[i];
    out += "<rect x=\"" + number(x, 1) + "\" y=\"" + number(base - height, 1) + "\" width=\""
           + number(bar, 1) + "\" height=\"" + number(std::max(height, 0.5), 1) + "\" fill=\""
           + (bad ? "#c62828" : "#3b6fb6") + "\"><title>"
           + html_escape((i < labels.size() ? labels[i] + ": " : std::string())
                         + short_number(values[i], whole) + " " + unit)
           + "</title></rect>\n";
  }
  return out + axis_labels(labels, base) + "</svg>\n";
}

std::string render_html(const ReportModel& model) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>migrate report "
                    + html_escape(model.generated_at) + "</title>\n<style>" + k_style
                    + "</style>\n</head>\n<body>\n<h1>migrate report</h1>\n<p class=\"meta\">"
                    + "Generated " + html_escape(model.generated_at) + " from "
                    + html_escape(model.state_file) + "; the last " + std::to_string(model.last)
                    + " runs of each table.</p>\n";
  out += success_section(model) + summary(model) + failures(model);
  for (const auto& t : model.tables) {
    out += table_section(t);
  }
  return out + "</body>\n</html>\n";
}

} // namespace migrate::report

#include "cli/progress.hpp"

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace migrate::cli {

std::chrono::seconds progress_interval(bool terminal) {
  return terminal ? std::chrono::seconds(1) : std::chrono::seconds(30);
}

bool progress_due(bool terminal, std::chrono::steady_clock::duration since_last) {
  return since_last >= progress_interval(terminal);
}

ProgressFigures progress_figures(std::uint64_t rows,
                                 std::chrono::steady_clock::duration elapsed,
                                 std::optional<std::uint64_t> estimate) {
  ProgressFigures out;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  if (seconds > 0) {
    out.rows_per_s = static_cast<double>(rows) / seconds;
  }
  if (!estimate || *estimate == 0) {
    return out;
  }
  if (rows >= *estimate) {
    out.percent = 99.9;
    return out;
  }
  out.percent = 100.0 * static_cast<double>(rows) / static_cast<double>(*estimate);
  if (out.rows_per_s > 0) {
    out.eta = std::chrono::seconds(
        static_cast<long long>(static_cast<double>(*estimate - rows) / out.rows_per_s + 0.5));
  }
  return out;
}

std::string
progress_text(const std::string& table, std::uint64_t rows, const ProgressFigures& figures) {
  auto text = fmt::format("{} {} rows {:.0f} rows/s", table, rows, figures.rows_per_s);
  if (figures.percent) {
    text += fmt::format(" {:.1f}%", *figures.percent);
  }
  if (figures.eta) {
    const auto s = figures.eta->count();
    text += s >= 3600 ? fmt::format(" ETA {}h{:02}m", s / 3600, s % 3600 / 60)
                      : fmt::format(" ETA {}m{:02}s", s / 60, s % 60);
  }
  return text;
}

ProgressReporter::ProgressReporter(bool enabled, bool terminal)
    : m_enabled(enabled)
    , m_terminal(terminal) {}

void ProgressReporter::begin_table(const std::string& table,
                                   std::optional<std::uint64_t> estimate) {
  const std::lock_guard lock(m_mutex);
  const auto now = Clock::now();
  if (m_tables.empty()) {
    m_drawn = now; // a table shorter than the interval shows no line
  }
  m_tables[table] = Table{estimate, 0, now, now};
}

void ProgressReporter::end_table(const std::string& table) {
  const std::lock_guard lock(m_mutex);
  m_tables.erase(table);
  if (m_line_shown) {
    std::fputs("\033[K", stderr);
    std::fflush(stderr);
    m_line_shown = false;
  }
}

void ProgressReporter::rows_loaded(const std::string& table, std::uint64_t rows) noexcept {
  try {
    const std::lock_guard lock(m_mutex);
    const auto found = m_tables.find(table);
    if (found == m_tables.end()) {
      return;
    }
    found->second.rows += rows;
    const auto now = Clock::now();
    if (!m_enabled) {
      return;
    }
    if (m_terminal) {
      if (progress_due(true, now - m_drawn)) {
        draw_line(now);
      }
    } else if (progress_due(false, now - found->second.last)) {
      log_line(table, found->second, now);
    }
  } catch (...) {
    // Progress is a courtesy: a failure to format or print it must not fail the table.
  }
}

// Drawn from the start of the line, the cursor left there: a log event written next starts by
// clearing the line (cli.cpp's console sink) and takes its place.
void ProgressReporter::draw_line(Clock::time_point now) {
  m_drawn = now;
  std::string text;
  for (const auto& [name, table] : m_tables) {
    text += (text.empty() ? "" : " | ")
            + progress_text(name,
                            table.rows,
                            progress_figures(table.rows, now - table.started, table.estimate));
  }
  text = "\033[K" + text + "\r";
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  m_line_shown = true;
}

void ProgressReporter::log_line(const std::string& name, Table& table, Clock::time_point now) {
  table.last = now;
  const auto figures = progress_figures(table.rows, now - table.started, table.estimate);
  spdlog::info("table={} progress rows={} rows_per_s={:.0f} percent={} eta_s={}",
               name,
               table.rows,
               figures.rows_per_s,
               figures.percent ? fmt::format("{:.1f}", *figures.percent) : "unknown",
               figures.eta ? std::to_string(figures.eta->count()) : "unknown");
}

} // namespace migrate::cli

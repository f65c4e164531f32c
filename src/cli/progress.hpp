// Progress of long tables: on a terminal, one line on standard error redrawn every second (rows,
// rows/s, percent and ETA from MySQL's row estimate); otherwise a log line every 30 s. The
// decisions are pure functions; ProgressReporter is the pipeline's ProgressObserver.
#pragma once

#include "migrate/pipeline/progress.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace migrate::cli {

// How often progress is shown: every second on a terminal (a line redrawn in place), every 30 s
// in a log (cron mail and log files should not fill with it).
std::chrono::seconds progress_interval(bool terminal);

// Whether progress is due, `since_last` after the last report (or the table's start).
bool progress_due(bool terminal, std::chrono::steady_clock::duration since_last);

struct ProgressFigures {
  double rows_per_s = 0;
  std::optional<double> percent;           // of the estimate, below 100 until the table ends
  std::optional<std::chrono::seconds> eta; // unknown without an estimate or a rate
};

// What `rows` loaded in `elapsed` say, against the server's estimate of the table's rows (an
// estimate: past it, the percent stays at 99.9 and the ETA is unknown).
ProgressFigures progress_figures(std::uint64_t rows,
                                 std::chrono::steady_clock::duration elapsed,
                                 std::optional<std::uint64_t> estimate);

// "users 120000 rows 4000 rows/s 12.0% ETA 12m" (the parts that are known).
std::string
progress_text(const std::string& table, std::uint64_t rows, const ProgressFigures& figures);

// Several tables may be under way at once (--jobs): the terminal line then shows each, joined by
// " | ", and the log gets a line per table. Safe to call from any thread.
class ProgressReporter final : public pipeline::ProgressObserver {
public:
  // `enabled` false (--quiet) shows nothing; `terminal`: standard error is a terminal.
  ProgressReporter(bool enabled, bool terminal);

  // False with --quiet: nothing is shown, so no row estimate need be asked for.
  bool shown() const { return m_enabled; }

  void begin_table(const std::string& table, std::optional<std::uint64_t> estimate);
  // Clears the terminal line, so that what follows starts clean.
  void end_table(const std::string& table);
  void rows_loaded(const std::string& table, std::uint64_t rows) noexcept override;

private:
  using Clock = std::chrono::steady_clock;

  struct Table {
    std::optional<std::uint64_t> estimate;
    std::uint64_t rows = 0;
    Clock::time_point started;
    Clock::time_point last; // of its last log line
  };

  void draw_line(Clock::time_point now);
  void log_line(const std::string& name, Table& table, Clock::time_point now);

  bool m_enabled;
  bool m_terminal;
  std::mutex m_mutex;
  bool m_line_shown = false;
  Clock::time_point m_drawn; // when the terminal line was last drawn
  std::map<std::string, Table> m_tables;
};

} // namespace migrate::cli

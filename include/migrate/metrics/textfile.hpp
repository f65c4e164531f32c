// Metrics in Prometheus's text exposition format, for node_exporter's textfile collector: each
// run rewrites one file with every mapped table's latest figures.
//
// render_textfile() is a pure function; write_textfile() replaces the file atomically (a temporary
// file in the same directory, then rename), so the collector never reads half a file.
#pragma once

#include "migrate/core/result.hpp"
#include "migrate/validate/success_metrics.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate::metrics {

struct TableFigures {
  std::string table;
  std::optional<TableResult> last_run; // nullopt: never ran
  std::optional<std::chrono::system_clock::time_point> last_success;
  std::optional<std::chrono::seconds> data_age; // nullopt: never synced successfully
  bool stale = false;                           // older than max_age
};

struct RunFigures {
  std::chrono::system_clock::time_point finished;
  int exit_code = 0;
  std::uint64_t notify_failures = 0;
  std::vector<TableFigures> tables;
  validate::SuccessReport success; // the five success metrics after the run
};

// The exposition text: a HELP and a TYPE line per family, then its samples, label values
// escaped (\\, \" and \n).
std::string render_textfile(const RunFigures& run);

// `value` escaped for a label value: backslash, double quote and line feed.
std::string escape_label_value(std::string_view value);

// Replaces `path` with `text` atomically, readable by all (node_exporter runs as its own user;
// the file holds table names and counts only). Throws Error(area internal) naming the path.
void write_textfile(const std::filesystem::path& path, const std::string& text);

} // namespace migrate::metrics

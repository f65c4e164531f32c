// The command line: the composition root, the only place that names concrete adapters.
#pragma once

#include "migrate/core/error.hpp"

namespace migrate::cli {

// Exit codes, as documented in --help, the man page and docs/configuration.md.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_table_failed = 1; // at least one table failed; the others still ran
inline constexpr int k_exit_usage = 2;        // configuration or usage error
inline constexpr int k_exit_locked = 3;       // another run holds the state file's run lock
inline constexpr int k_exit_deadline = 4;     // max_runtime stopped the run; positions are valid

// The exit code of a run stopped by `area`'s error: configuration → 2, the run lock → 3, the
// whole-run deadline → 4, anything else (a database, the state file) → 1.
constexpr int exit_code_for(ErrorArea area) noexcept {
  switch (area) {
  case ErrorArea::config:
    return k_exit_usage;
  case ErrorArea::lock:
    return k_exit_locked;
  case ErrorArea::deadline:
    return k_exit_deadline;
  default:
    return k_exit_table_failed;
  }
}

// Parses the arguments, runs the command and returns the process exit code. Never throws.
int run(int argc, char** argv);

} // namespace migrate::cli

// The command line: the composition root, the only place that names concrete adapters.
#pragma once

namespace migrate::cli {

// Exit codes, as documented in --help and the README.
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_table_failed = 1; // at least one table failed; the others still ran
inline constexpr int k_exit_usage = 2;        // configuration or usage error
inline constexpr int k_exit_deadline = 4;     // max_runtime stopped the run; positions are valid

// Parses the arguments, runs the command and returns the process exit code. Never throws.
int run(int argc, char** argv);

} // namespace migrate::cli

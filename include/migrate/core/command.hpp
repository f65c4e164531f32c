// Running a program without a shell and reading what it prints: a password command's output.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace migrate {

struct CommandResult {
  int exit_status = -1; // the program's exit status; -1 when a signal or the timeout ended it
  bool timed_out = false;
  std::string out; // standard output, whole
  std::string err; // standard error, its first 4 KB
};

// Runs `argv` (argv[0] looked up in PATH, no shell: nothing in it is expanded), its standard input
// /dev/null, and waits at most `timeout` for it to end (then kills it). Throws std::system_error
// when it cannot be started (no such program, not executable).
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

} // namespace migrate

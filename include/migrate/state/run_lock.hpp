// RunLock: one writing run per state file, held as an flock(2) on "<state file>.lock".
//
// The kernel releases an flock when its holder exits, however it exits (even by SIGKILL), so a
// crashed run never leaves a stale lock behind. The lock file holds the holder's pid and start time
// for the message a refused run prints; it is never deleted, since unlinking a locked file would
// let a third run lock a new file while the second still waits on the old one. Not thread-safe: one
// RunLock per process.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace migrate::state {

// Who holds a lock, as written into the lock file.
struct LockHolder {
  long pid = 0;
  std::string started; // UTC, e.g. "2026-11-29T02:00:00Z"
};

// "<state file>.lock", beside the state file.
std::filesystem::path lock_path(const std::filesystem::path& state_file);

// The lock file's content for `holder`: "pid=123 started=2026-11-29T02:00:00Z\n".
std::string format_holder(const LockHolder& holder);

// Reads format_holder()'s text back; nullopt for anything else (an empty file: the holder has not
// written it yet).
std::optional<LockHolder> parse_holder(const std::string& text);

// "another migrate run (pid N, started T) holds <path>", without the parenthesis when the holder
// is unknown.
std::string refusal_message(const std::filesystem::path& lock,
                            const std::optional<LockHolder>& holder);

// The run that holds the lock of `state_file` now, for display: the holder the lock file names, if
// that process is alive (a run killed by SIGKILL leaves its holder line behind).
std::optional<LockHolder> current_holder(const std::filesystem::path& state_file);

class RunLock {
public:
  // Takes the lock of `state_file` (creating its directory) without waiting and records this
  // process in it. Throws Error(area lock) with refusal_message() when another process holds it,
  // Error(area state) when the lock file cannot be created.
  explicit RunLock(const std::filesystem::path& state_file);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
  int m_fd = -1;
};

} // namespace migrate::state

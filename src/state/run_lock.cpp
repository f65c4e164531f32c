#include "migrate/state/run_lock.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/result.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace migrate::state {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error(ErrorArea::state,
              "run lock " + path.string() + ": " + what + ": " + std::strerror(errno));
}

std::string read_all(int fd) {
  std::string text;
  char buffer[256];
  off_t offset = 0;
  for (;;) {
    const ssize_t got = pread(fd, buffer, sizeof buffer, offset);
    if (got <= 0) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    offset += got;
  }
}

} // namespace

std::filesystem::path lock_path(const std::filesystem::path& state_file) {
  return std::filesystem::path(state_file.string() + ".lock");
}

std::string format_holder(const LockHolder& holder) {
  return "pid=" + std::to_string(holder.pid) + " started=" + holder.started + "\n";
}

std::optional<LockHolder> parse_holder(const std::string& text) {
  const std::string pid_key = "pid=";
  const std::string started_key = " started=";
  const auto started_at = text.find(started_key);
  if (text.rfind(pid_key, 0) != 0 || started_at == std::string::npos) {
    return std::nullopt;
  }
  LockHolder holder;
  const auto pid_text = text.substr(pid_key.size(), started_at - pid_key.size());
  if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos
      || pid_text.size() > 10) {
    return std::nullopt;
  }
  holder.pid = std::stol(pid_text);
  holder.started = text.substr(started_at + started_key.size());
  while (!holder.started.empty()
         && (holder.started.back() == '\n' || holder.started.back() == '\r')) {
    holder.started.pop_back();
  }
  if (holder.started.empty()) {
    return std::nullopt;
  }
  return holder;
}

std::string refusal_message(const std::filesystem::path& lock,
                            const std::optional<LockHolder>& holder) {
  const std::string who =
      holder ? " (pid " + std::to_string(holder->pid) + ", started " + holder->started + ")"
             : std::string();
  return "another migrate run" + who + " holds " + lock.string();
}

std::optional<LockHolder> current_holder(const std::filesystem::path& state_file) {
  const int fd = ::open(lock_path(state_file).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return std::nullopt;
  }
  auto holder = parse_holder(read_all(fd));
  ::close(fd);
  if (holder && ::kill(static_cast<pid_t>(holder->pid), 0) != 0 && errno != EPERM) {
    return std::nullopt;
  }
  return holder;
}

RunLock::RunLock(const std::filesystem::path& state_file)
    : m_path(lock_path(state_file)) {
  if (m_path.has_parent_path()) {
    std::error_code ignored; // open() below reports a directory that cannot be made
    std::filesystem::create_directories(m_path.parent_path(), ignored);
  }
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    fail(m_path, "cannot open");
  }
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const auto holder = parse_holder(read_all(m_fd));
    ::close(m_fd);
    m_fd = -1;
    if (error != EWOULDBLOCK) {
      errno = error;
      fail(m_path, "cannot lock");
    }
    throw Error(ErrorArea::lock, refusal_message(m_path, holder));
  }
  const auto text = format_holder(
      LockHolder{static_cast<long>(::getpid()), format_utc(std::chrono::system_clock::now())});
  if (::ftruncate(m_fd, 0) != 0
      || ::pwrite(m_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    ::close(m_fd);
    m_fd = -1;
    fail(m_path, "cannot write");
  }
}

RunLock::~RunLock() {
  if (m_fd >= 0) {
    // Emptied first, so that a later refusal never names a run that has ended. A destructor has no
    // one to tell of a failure: the file then keeps a stale pid, and the flock goes with the close.
    const int emptied = ::ftruncate(m_fd, 0);
    static_cast<void>(emptied);
    ::close(m_fd);
  }
}

} // namespace migrate::state

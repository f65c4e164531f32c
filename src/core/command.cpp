#include "migrate/core/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <tuple>

namespace migrate {
namespace {

constexpr std::size_t k_error_bytes = 4096;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      throw_errno("pipe");
    }
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_read() {
    if (read >= 0) {
      ::close(read);
      read = -1;
    }
  }
  void close_write() {
    if (write >= 0) {
      ::close(write);
      write = -1;
    }
  }
};

// In the child: the pipes as stdout and stderr, /dev/null as stdin, then the program. A failed
// exec is reported through `status`, a close-on-exec pipe that the parent reads once.
// Only async-signal-safe calls here: another thread may have held malloc's lock at the fork.
[[noreturn]] void exec_child(char* const* args, Pipe& out, Pipe& err, Pipe& status) {
  const int null = ::open("/dev/null", O_RDONLY);
  if (null < 0 || ::dup2(null, 0) < 0 || ::dup2(out.write, 1) < 0 || ::dup2(err.write, 2) < 0) {
    const int code = errno;
    (void)!::write(status.write, &code, sizeof code);
    ::_exit(127);
  }
  ::execvp(args[0], args);
  const int code = errno;
  (void)!::write(status.write, &code, sizeof code);
  ::_exit(127);
}

// Reads both pipes until both are closed or `deadline` passes; false on the deadline.
bool read_until_closed(Pipe& out,
                       Pipe& err,
                       CommandResult& result,
                       std::chrono::steady_clock::time_point deadline) {
  std::array<char, 4096> buffer{};
  while (out.read >= 0 || err.read >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd fds[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      throw_errno("poll");
    }
    for (auto [fd, pipe, text] :
         {std::tuple{fds[0], &out, &result.out}, std::tuple{fds[1], &err, &result.err}}) {
      if (pipe->read < 0 || fd.revents == 0) {
        continue;
      }
      const auto n = ::read(pipe->read, buffer.data(), buffer.size());
      if (n <= 0) {
        pipe->close_read();
      } else if (text != &result.err || text->size() < k_error_bytes) {
        text->append(buffer.data(), static_cast<std::size_t>(n));
      }
    }
  }
  return true;
}

} // namespace

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty() || argv[0].empty()) {
    throw std::invalid_argument("no program to run");
  }
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  Pipe out, err, status;
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw_errno("fork");
  }
  if (pid == 0) {
    exec_child(args.data(), out, err, status);
  }
  out.close_write();
  err.close_write();
  status.close_write();
  int exec_error = 0;
  if (::read(status.read, &exec_error, sizeof exec_error) == sizeof exec_error) {
    ::waitpid(pid, nullptr, 0);
    errno = exec_error;
    throw_errno("cannot run " + argv[0]);
  }
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!read_until_closed(out, err, result, deadline)) {
    ::kill(pid, SIGKILL);
    result.timed_out = true;
  }
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && WIFEXITED(wait_status)) {
    result.exit_status = WEXITSTATUS(wait_status);
  }
  result.err.resize(std::min(result.err.size(), k_error_bytes));
  return result;
}

} // namespace migrate

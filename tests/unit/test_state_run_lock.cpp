#include "migrate/core/error.hpp"
#include "migrate/state/run_lock.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace migrate;
using namespace migrate::state;

namespace {

fs::path temp_state(const std::string& name) {
  const auto dir =
      fs::temp_directory_path() / ("migrate-lock-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  return dir / "sub" / "state.db";
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

} // namespace

TEST(RunLock, LockFileSitsBesideTheStateFile) {
  EXPECT_EQ(lock_path("/var/lib/migrate/state.db"), fs::path("/var/lib/migrate/state.db.lock"));
}

TEST(RunLock, HolderTextRoundTrips) {
  const LockHolder holder{4242, "2026-11-29T02:00:00Z"};
  EXPECT_EQ(format_holder(holder), "pid=4242 started=2026-11-29T02:00:00Z\n");
  const auto parsed = parse_holder(format_holder(holder));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->pid, 4242);
  EXPECT_EQ(parsed->started, "2026-11-29T02:00:00Z");
}

TEST(RunLock, UnreadableHolderTextIsUnknown) {
  EXPECT_FALSE(parse_holder(""));
  EXPECT_FALSE(parse_holder("pid= started=x"));
  EXPECT_FALSE(parse_holder("pid=12x started=x"));
  EXPECT_FALSE(parse_holder("pid=12 started=\n"));
  EXPECT_FALSE(parse_holder("garbage"));
}

TEST(RunLock, RefusalNamesPidStartAndPath) {
  EXPECT_EQ(refusal_message("/s/state.db.lock", LockHolder{7, "2026-11-29T02:00:00Z"}),
            "another migrate run (pid 7, started 2026-11-29T02:00:00Z) holds /s/state.db.lock");
  EXPECT_EQ(refusal_message("/s/state.db.lock", std::nullopt),
            "another migrate run holds /s/state.db.lock");
}

TEST(RunLock, RecordsThisProcessInAPrivateLockFile) {
  const auto state = temp_state("records");
  {
    const RunLock lock(state);
    const auto holder = parse_holder(read_file(lock.path()));
    ASSERT_TRUE(holder);
    EXPECT_EQ(holder->pid, ::getpid());
    struct stat info {};
    ASSERT_EQ(::stat(lock.path().c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 077, 0U);
  }
  EXPECT_EQ(read_file(lock_path(state)), "") << "a released lock names no holder";
  fs::remove_all(state.parent_path().parent_path());
}

// flock() conflicts between open file descriptions, so a child process stands in for a second run.
TEST(RunLock, ASecondHolderIsRefusedWithTheFirstOnesPid) {
  const auto state = temp_state("second");
  const RunLock lock(state);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      const RunLock second(state);
      ::_exit(1);
    } catch (const Error& e) {
      const std::string expected = "another migrate run (pid " + std::to_string(::getppid());
      const bool ok = e.area() == ErrorArea::lock && std::string(e.what()).rfind(expected, 0) == 0;
      ::_exit(ok ? 0 : 2);
    } catch (...) {
      ::_exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  fs::remove_all(state.parent_path().parent_path());
}

TEST(RunLock, IsFreeAgainOnceReleased) {
  const auto state = temp_state("again");
  { const RunLock first(state); }
  EXPECT_NO_THROW({ const RunLock second(state); });
  fs::remove_all(state.parent_path().parent_path());
}

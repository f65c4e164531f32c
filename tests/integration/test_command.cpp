// core/command: a program run without a shell (a password command), its output read under a
// deadline. Real processes: /bin/sh, /bin/echo, /bin/sleep.
#include "migrate/core/command.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <system_error>

namespace migrate {
namespace {

using namespace std::chrono_literals;

TEST(Command, ReadsOutputErrorAndExitStatus) {
  const auto result = run_command({"/bin/sh", "-c", "echo out; echo oops >&2; exit 3"}, 10s);
  EXPECT_EQ(result.exit_status, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "oops\n");
  EXPECT_FALSE(result.timed_out);
}

TEST(Command, PassesArgumentsAsTheyAreWithNoShellBetween) {
  const auto result = run_command({"/bin/echo", "$HOME", "*", "a;b"}, 10s);
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_EQ(result.out, "$HOME * a;b\n");
}

TEST(Command, AMissingProgramIsAnErrorThatNamesIt) {
  try {
    run_command({"no-such-program-for-migrate"}, 10s);
    FAIL() << "a missing program ran";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot run no-such-program-for-migrate"),
              std::string::npos)
        << e.what();
  }
}

TEST(Command, AProgramPastItsDeadlineIsStopped) {
  const auto started = std::chrono::steady_clock::now();
  const auto result = run_command({"/bin/sleep", "30"}, 300ms);
  EXPECT_TRUE(result.timed_out);
  EXPECT_EQ(result.exit_status, -1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

} // namespace
} // namespace migrate

#include "migrate/core/retry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace migrate {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Error transient_error() {
  ErrorContext context;
  context.transient = true;
  return Error(ErrorArea::source, "connection lost", context);
}

TEST(RetryWait, DoublesFromTwoSecondsWithJitterWithinAQuarter) {
  EXPECT_EQ(retry_wait(1, seconds(600), 0.5), milliseconds(2000));
  EXPECT_EQ(retry_wait(2, seconds(600), 0.5), milliseconds(4000));
  EXPECT_EQ(retry_wait(5, seconds(600), 0.5), milliseconds(32000));
  EXPECT_EQ(retry_wait(1, seconds(600), 0.0), milliseconds(1500));
  EXPECT_EQ(retry_wait(1, seconds(600), 1.0), milliseconds(2500));
}

TEST(RetryWait, NeverExceedsMaxWaitHoweverManyAttempts) {
  EXPECT_EQ(retry_wait(12, seconds(600), 1.0), milliseconds(600000));
  EXPECT_EQ(retry_wait(100, seconds(10), 0.3), milliseconds(9000));
  EXPECT_LE(retry_wait(3, seconds(5), 1.0), milliseconds(5000));
}

// max_wait 0: every wait is 0 ms, so these run without sleeping.
TEST(WithRetries, ATransientErrorIsRetriedUntilTheAttemptSucceeds) {
  int calls = 0;
  std::vector<std::size_t> retries;
  const auto result = with_retries(
      3,
      seconds(0),
      [&] {
        if (++calls < 3) {
          throw transient_error();
        }
        return 42;
      },
      [&](std::size_t retry, milliseconds, const Error&) {
        retries.push_back(retry);
        return true;
      });
  EXPECT_EQ(result, 42);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(retries, (std::vector<std::size_t>{1, 2}));
}

TEST(WithRetries, GivesUpAfterTheRetriesAndRethrowsTheLastError) {
  int calls = 0;
  EXPECT_THROW(with_retries(
                   2,
                   seconds(0),
                   [&] {
                     ++calls;
                     throw transient_error();
                   },
                   [](std::size_t, milliseconds, const Error&) { return true; }),
               Error);
  EXPECT_EQ(calls, 3); // the first attempt and two retries
}

TEST(WithRetries, APermanentErrorOrARefusedWaitIsNotRetried) {
  int calls = 0;
  EXPECT_THROW(with_retries(
                   5,
                   seconds(0),
                   [&] {
                     ++calls;
                     throw Error(ErrorArea::config, "bad mapping");
                   },
                   [](std::size_t, milliseconds, const Error&) { return true; }),
               Error);
  EXPECT_EQ(calls, 1);
  calls = 0;
  EXPECT_THROW(with_retries(
                   5,
                   seconds(0),
                   [&] {
                     ++calls;
                     throw transient_error();
                   },
                   [](std::size_t, milliseconds, const Error&) { return false; }),
               Error);
  EXPECT_EQ(calls, 1);
}

} // namespace
} // namespace migrate

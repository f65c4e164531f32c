#include "migrate/validate/freshness.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using migrate::validate::assess_freshness;
using migrate::validate::format_age;
using migrate::validate::LastSuccess;

namespace {

std::chrono::system_clock::time_point utc(int day, int hour) {
  // 2026-11-01T00:00:00Z
  return std::chrono::system_clock::from_time_t(1793491200) + std::chrono::hours(24 * (day - 1))
         + std::chrono::hours(hour);
}

TEST(Freshness, MeasuresAgeFromTheUpperBound) {
  const auto f =
      assess_freshness(LastSuccess{utc(1, 2), "2026-11-01 01:00:00.000000"}, utc(3, 1), 8 * 24h);
  ASSERT_TRUE(f.age.has_value());
  EXPECT_EQ(*f.age, 48h);
  EXPECT_FALSE(f.stale);
}

TEST(Freshness, MeasuresAgeFromTheStartWithoutATimestampColumn) {
  const auto f = assess_freshness(LastSuccess{utc(1, 2), ""}, utc(1, 5), 8 * 24h);
  EXPECT_EQ(f.age.value_or(-1s), 3h);
}

TEST(Freshness, NeverTakesABoundLaterThanTheRunsStart) {
  // A DATETIME bound in a zone east of UTC reads as later than the run began.
  const auto f =
      assess_freshness(LastSuccess{utc(1, 2), "2026-11-01 05:00:00"}, utc(1, 4), 8 * 24h);
  EXPECT_EQ(f.age.value_or(-1s), 2h);
}

TEST(Freshness, FlagsDataOlderThanMaxAgeButNotAtIt) {
  EXPECT_TRUE(assess_freshness(LastSuccess{utc(1, 0), ""}, utc(9, 1), 8 * 24h).stale);
  EXPECT_FALSE(assess_freshness(LastSuccess{utc(1, 0), ""}, utc(9, 0), 8 * 24h).stale);
}

TEST(Freshness, ATableNeverSyncedHasNoAgeAndIsNotFlagged) {
  const auto f = assess_freshness(std::nullopt, utc(9, 0), 8 * 24h);
  EXPECT_FALSE(f.age.has_value());
  EXPECT_FALSE(f.stale);
}

TEST(Freshness, AnUnreadableBoundFallsBackToTheStart) {
  const auto f = assess_freshness(LastSuccess{utc(1, 2), "yesterday"}, utc(1, 3), 1h);
  EXPECT_EQ(f.age.value_or(-1s), 1h);
  EXPECT_FALSE(f.stale);
}

TEST(Freshness, AClockBehindTheRunGivesAgeZero) {
  EXPECT_EQ(assess_freshness(LastSuccess{utc(2, 0), ""}, utc(1, 0), 1h).age.value_or(-1s), 0s);
}

TEST(Freshness, FormatsAgeWithTheTwoLargestUnits) {
  EXPECT_EQ(format_age(8 * 24h), "8d 0h");
  EXPECT_EQ(format_age(3 * 24h + 4h + 5min), "3d 4h");
  EXPECT_EQ(format_age(2h + 5min), "2h 5m");
  EXPECT_EQ(format_age(42min + 3s), "42m");
  EXPECT_EQ(format_age(17s), "17s");
}

} // namespace

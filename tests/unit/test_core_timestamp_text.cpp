#include "migrate/core/timestamp_text.hpp"

#include <gtest/gtest.h>

using migrate::last_complete_tick;
using migrate::shift_timestamp;

TEST(TimestampText, ShiftsBackAcrossMidnightAndMonths) {
  EXPECT_EQ(shift_timestamp("2026-03-01 00:00:05", -std::chrono::seconds(10)),
            "2026-02-28 23:59:55.000000");
  EXPECT_EQ(shift_timestamp("2024-03-01 00:00:00.250000", -std::chrono::hours(24)),
            "2024-02-29 00:00:00.250000");
}

TEST(TimestampText, ShiftsFractionsWithBorrow) {
  EXPECT_EQ(shift_timestamp("2026-01-01 00:00:00.000001", -std::chrono::microseconds(2)),
            "2025-12-31 23:59:59.999999");
  EXPECT_EQ(shift_timestamp("2026-01-01 00:00:00.5", std::chrono::microseconds(0)),
            "2026-01-01 00:00:00.500000");
}

TEST(TimestampText, LastCompleteTickOfSecondPrecision) {
  EXPECT_EQ(last_complete_tick("2026-11-25 12:00:00.500000", 0), "2026-11-25 11:59:59.999999");
  EXPECT_EQ(last_complete_tick("2026-11-25 12:00:00.000000", 0), "2026-11-25 11:59:59.999999");
}

TEST(TimestampText, LastCompleteTickOfMicrosecondPrecision) {
  EXPECT_EQ(last_complete_tick("2026-11-25 12:00:00.500000", 6), "2026-11-25 12:00:00.499999");
}

TEST(TimestampText, LastCompleteTickOfMillisecondPrecision) {
  EXPECT_EQ(last_complete_tick("2026-11-25 12:00:00.123456", 3), "2026-11-25 12:00:00.122999");
}

// MySQL keeps dates with zero parts; they order before every real date of their year or month.
TEST(TimestampText, ADateWithZeroPartsMovesBackFromTheRealInstantBelowIt) {
  EXPECT_EQ(shift_timestamp("2020-00-15 10:00:00", -std::chrono::seconds(1)),
            "2019-12-31 23:59:58.999999");
  EXPECT_EQ(shift_timestamp("2020-02-00 00:00:00", -std::chrono::microseconds(1)),
            "2020-01-31 23:59:59.999998");
  EXPECT_EQ(shift_timestamp("2020-02-00", -std::chrono::hours(24)), "2020-01-30 23:59:59.999999");
  // Nothing is earlier than the zero date: it stays, and the caller keeps its key cursor.
  EXPECT_EQ(shift_timestamp("0000-00-00 00:00:00", -std::chrono::hours(1)), "0000-00-00 00:00:00");
}

TEST(TimestampText, RejectsText) {
  EXPECT_THROW(shift_timestamp("yesterday", {}), std::invalid_argument);
}

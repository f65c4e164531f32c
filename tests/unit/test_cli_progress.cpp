#include "cli/progress.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace migrate::cli;

namespace {

TEST(Progress, ATerminalGetsALineEverySecondALogEveryThirtySeconds) {
  EXPECT_EQ(progress_interval(true), 1s);
  EXPECT_EQ(progress_interval(false), 30s);
  EXPECT_FALSE(progress_due(false, 29s));
  EXPECT_TRUE(progress_due(false, 30s));
  EXPECT_FALSE(progress_due(true, 999ms));
  EXPECT_TRUE(progress_due(true, 1s));
}

TEST(Progress, ComputesRatePercentAndEtaFromTheEstimate) {
  const auto f = progress_figures(25'000, 10s, 100'000);
  EXPECT_DOUBLE_EQ(f.rows_per_s, 2500);
  EXPECT_DOUBLE_EQ(f.percent.value_or(-1), 25);
  EXPECT_EQ(f.eta.value_or(-1s), 30s);
  EXPECT_EQ(progress_text("users", 25'000, f), "users 25000 rows 2500 rows/s 25.0% ETA 0m30s");
}

TEST(Progress, PastTheEstimateStaysBelowAHundredWithoutAnEta) {
  const auto f = progress_figures(120, 1s, 100);
  EXPECT_DOUBLE_EQ(f.percent.value_or(-1), 99.9);
  EXPECT_FALSE(f.eta.has_value());
}

TEST(Progress, WithoutAnEstimateShowsRowsAndRateOnly) {
  const auto f = progress_figures(500, 0s, std::nullopt);
  EXPECT_FALSE(f.percent.has_value());
  EXPECT_FALSE(f.eta.has_value());
  EXPECT_EQ(progress_text("t", 500, f), "t 500 rows 0 rows/s");
  EXPECT_FALSE(progress_figures(5, 1s, 0).percent.has_value()) << "an estimate of 0 is none";
}

TEST(Progress, FormatsLongEtasInHours) {
  const auto f = progress_figures(1, 1s, 7'201);
  EXPECT_EQ(progress_text("t", 1, f), "t 1 rows 1 rows/s 0.0% ETA 2h00m");
}

} // namespace

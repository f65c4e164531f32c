#include "migrate/state/retention.hpp"

#include <gtest/gtest.h>

namespace migrate::state {
namespace {

TEST(Retention, EachPeriodCountsBackFromNowAndForeverHasNoCutoff) {
  config::Retention retention;
  retention.validations.reset();
  const auto now = std::chrono::system_clock::from_time_t(1'800'000'000);
  const auto cutoffs = prune_cutoffs(retention, now);
  EXPECT_EQ(cutoffs.history, now - std::chrono::hours(24 * 400));
  EXPECT_FALSE(cutoffs.validations.has_value());
  EXPECT_EQ(cutoffs.quarantine_values, now - std::chrono::hours(24 * 90));
  EXPECT_EQ(describe(retention), "history 400d, validations forever, quarantine values 90d");
}

TEST(Retention, CountsAreWrittenInWords) {
  EXPECT_EQ(describe(PruneCounts{1, 0, 2, 1}),
            "1 run, 0 invocations, 2 validations and 1 quarantined value");
}

} // namespace
} // namespace migrate::state

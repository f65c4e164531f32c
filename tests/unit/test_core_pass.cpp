#include "migrate/core/pass.hpp"
#include "migrate/core/result.hpp"

#include <gtest/gtest.h>

using namespace migrate;

namespace {

constexpr Pass k_every_pass[] = {Pass::none,
                                 Pass::initial,
                                 Pass::incremental,
                                 Pass::full,
                                 Pass::reload,
                                 Pass::compare,
                                 Pass::replace};

TEST(Pass, EveryPassReadsBackFromItsStoredName) {
  for (const auto pass : k_every_pass) {
    EXPECT_EQ(parse_pass(to_string(pass)), pass) << to_string(pass);
  }
  EXPECT_EQ(parse_pass("sideways"), Pass::none);
}

TEST(Pass, RunModeTextKeepsItsSuffixes) {
  EXPECT_EQ(to_string(RunMode{Pass::incremental, true}), "incremental+compare");
  EXPECT_EQ(to_string(RunMode{Pass::incremental, false, true}), "incremental+verify");
  EXPECT_EQ(parse_run_mode("full+compare"), (RunMode{Pass::full, true}));
  EXPECT_EQ(parse_run_mode("compare"), (RunMode{Pass::compare, true}));
  EXPECT_EQ(parse_run_mode("sideways+verify"), (RunMode{Pass::none, false, true}));
}

} // namespace

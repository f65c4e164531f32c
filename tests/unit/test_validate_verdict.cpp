#include "migrate/validate/verdict.hpp"

#include <gtest/gtest.h>

using migrate::Agreement;
using namespace migrate::validate;

namespace {

struct CountCase {
  const char* name;
  CountFacts facts;
  Agreement agreement;
  std::uint64_t unexplained;
  const char* text;
};

// source, target, changed since the run, quarantined, deletes kept, excluded by where,
// soft-deleted, rows an unfinished first pass has not reached
const CountCase k_count_cases[] = {
    {"a first pass stopped half-way",
     {100, 60, 0, 0, false, 0, 0, 40},
     Agreement::behind,
     0,
     "first load under way: 40 rows not loaded yet"},
    {"a first pass stopped half-way, and rows missing beyond it",
     {100, 50, 0, 1, false, 0, 0, 40},
     Agreement::mismatch,
     9,
     "MISMATCH: 9 rows missing in PostgreSQL; first load under way: 40 rows not loaded yet; 1 in "
     "quarantine"},
    {"rows left out by design are shown, not counted",
     {10, 10, 0, 0, false, 5, 2},
     Agreement::in_sync,
     0,
     "in sync (5 excluded by where, 2 soft-deleted)"},
    {"a mismatch beside rows left out by design",
     {10, 9, 0, 0, false, 0, 4},
     Agreement::mismatch,
     1,
     "MISMATCH: 1 row missing in PostgreSQL (4 soft-deleted)"},
    {"equal", {10, 10, 0, 0, false}, Agreement::in_sync, 0, "in sync"},
    {"empty tables", {0, 0, 0, 0, false}, Agreement::in_sync, 0, "in sync"},
    {"new rows since the run",
     {12, 10, 2, 0, false},
     Agreement::behind,
     0,
     "behind by 2 rows changed since the last run"},
    {"updated rows since the run, counts equal",
     {10, 10, 3, 0, false},
     Agreement::behind,
     0,
     "behind by 3 rows changed since the last run"},
    {"quarantined rows missing", {10, 8, 0, 2, false}, Agreement::quarantine, 0, "2 in quarantine"},
    {"quarantined rows that replaced older versions",
     {10, 10, 0, 1, false},
     Agreement::quarantine,
     0,
     "1 in quarantine"},
    {"quarantine and changes together",
     {13, 10, 1, 2, false},
     Agreement::behind,
     0,
     "behind by 1 row changed since the last run; 2 in quarantine"},
    {"rows missing beyond every reason",
     {15, 10, 1, 2, false},
     Agreement::mismatch,
     2,
     "MISMATCH: 2 rows missing in PostgreSQL; behind by 1 row changed since the last run; 2 in "
     "quarantine"},
    {"extra rows without kept deletes",
     {10, 11, 0, 0, false},
     Agreement::mismatch,
     1,
     "MISMATCH: 1 row extra in PostgreSQL"},
    {"extra rows cannot be explained by changes or quarantine",
     {10, 12, 5, 3, false},
     Agreement::mismatch,
     2,
     "MISMATCH: 2 rows extra in PostgreSQL; behind by 5 rows changed since the last run; 3 in "
     "quarantine"},
    {"extra rows kept by deletes: ignore",
     {10, 12, 0, 0, true},
     Agreement::in_sync,
     0,
     "2 rows deleted in MySQL, kept (deletes: ignore)"},
    {"missing rows are not excused by kept deletes",
     {12, 10, 0, 0, true},
     Agreement::mismatch,
     2,
     "MISMATCH: 2 rows missing in PostgreSQL"},
};

} // namespace

TEST(CountVerdict, ClassifiesEveryCaseOfTheTable) {
  for (const auto& c : k_count_cases) {
    const auto v = classify_counts(c.facts);
    EXPECT_EQ(v.agreement, c.agreement) << c.name;
    EXPECT_EQ(v.unexplained(), c.unexplained) << c.name;
    EXPECT_EQ(v.text(), c.text) << c.name;
  }
}

TEST(CountVerdict, OnlyAMismatchIsAMismatch) {
  EXPECT_STREQ(to_string(Agreement::in_sync), "in sync");
  EXPECT_STREQ(to_string(Agreement::behind), "behind");
  EXPECT_STREQ(to_string(Agreement::quarantine), "quarantine");
  EXPECT_STREQ(to_string(Agreement::mismatch), "mismatch");
  EXPECT_STREQ(to_string(Agreement::error), "error");
}

TEST(CountVerdict, StoredTextReadsBackAsTheSameAgreement) {
  for (const auto agreement : {Agreement::in_sync,
                               Agreement::quarantine,
                               Agreement::behind,
                               Agreement::mismatch,
                               Agreement::error}) {
    EXPECT_EQ(migrate::parse_agreement(to_string(agreement)), agreement) << to_string(agreement);
  }
  EXPECT_EQ(migrate::parse_agreement("unknown"), Agreement::error);
}

TEST(RowVerdict, ExplainsEachDifferingRow) {
  struct Case {
    RowDifference difference;
    bool changed;
    bool quarantined;
    bool kept;
    const char* text;
    bool mismatch;
    bool not_reached = false;
  };
  const Case cases[] = {
      {RowDifference::missing_in_target,
       true,
       false,
       false,
       "not loaded yet (first load under way)",
       false,
       true},
      {RowDifference::extra_in_target, false, false, false, "extra in target", true, true},
      {RowDifference::missing_in_target, false, false, false, "missing in target", true},
      {RowDifference::extra_in_target, false, false, false, "extra in target", true},
      {RowDifference::content_differs, false, false, false, "content differs", true},
      {RowDifference::content_differs, true, false, false, "changed since the last run", false},
      {RowDifference::missing_in_target, true, false, false, "changed since the last run", false},
      {RowDifference::missing_in_target, false, true, false, "in quarantine", false},
      {RowDifference::content_differs, true, true, false, "in quarantine", false},
      {RowDifference::extra_in_target,
       false,
       false,
       true,
       "deleted in MySQL, kept (deletes: ignore)",
       false},
      // A row the target has and MySQL has not was not changed in MySQL: still a mismatch.
      {RowDifference::extra_in_target, true, true, false, "extra in target", true},
      {RowDifference::missing_in_target, false, false, true, "missing in target", true},
  };
  for (const auto& c : cases) {
    const auto text =
        explain_row(c.difference, RowReasons{c.changed, c.quarantined, c.kept, c.not_reached});
    EXPECT_EQ(text, c.text);
    EXPECT_EQ(is_mismatch(text), c.mismatch) << text;
  }
}

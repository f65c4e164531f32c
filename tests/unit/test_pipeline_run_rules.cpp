#include "migrate/pipeline/run_rules.hpp"

#include <gtest/gtest.h>

using namespace migrate;
using namespace migrate::pipeline;
using state::Position;

namespace {

Position incremental(const std::string& timestamp,
                     std::vector<std::string> key = {},
                     std::string target_id = "oid:1") {
  return Position{Pass::incremental, timestamp, std::move(key), std::move(target_id)};
}

TEST(TrustPosition, NoStoredPositionIsNone) {
  EXPECT_EQ(trust_position(std::nullopt, TargetFacts{true, true, "oid:1"}), PositionTrust::none);
}

TEST(TrustPosition, APositionOnTheSameNonEmptyTargetIsTrusted) {
  EXPECT_EQ(trust_position(incremental("2026-01-01 00:00:00"), TargetFacts{false, false, "oid:1"}),
            PositionTrust::trusted);
}

TEST(TrustPosition, ATargetCreatedByThisRunVoidsAnyPositionStoredBefore) {
  EXPECT_EQ(trust_position(incremental("2026-01-01 00:00:00"), TargetFacts{true, true, "oid:2"}),
            PositionTrust::target_created);
  const Position initial{Pass::initial, "2026-01-01 00:00:00", {"42"}, "oid:1"};
  EXPECT_EQ(trust_position(initial, TargetFacts{true, true, "oid:2"}),
            PositionTrust::target_created);
  const Position unknown{Pass::initial, "2026-01-01 00:00:00", {"42"}, ""};
  EXPECT_EQ(trust_position(unknown, TargetFacts{true, false, "oid:2"}),
            PositionTrust::target_created);
}

TEST(TrustPosition, ARetryResumesFromTheKeyItCommittedIntoTheTableItCreated) {
  const Position committed{Pass::initial, "2026-01-01 00:00:00", {"40000"}, "oid:2"};
  EXPECT_EQ(trust_position(committed, TargetFacts{true, false, "oid:2"}), PositionTrust::trusted);
}

TEST(TrustPosition, ATargetWithAnotherIdentityVoidsThePositionEvenWithRows) {
  EXPECT_EQ(trust_position(incremental("2026-01-01 00:00:00"), TargetFacts{false, false, "oid:9"}),
            PositionTrust::target_replaced);
}

TEST(TrustPosition, APositionWithoutRecordedIdentityIsCheckedByEmptinessOnly) {
  const auto legacy = incremental("2026-01-01 00:00:00", {}, "");
  EXPECT_EQ(trust_position(legacy, TargetFacts{false, false, "oid:9"}), PositionTrust::trusted);
  EXPECT_EQ(trust_position(legacy, TargetFacts{false, true, "oid:9"}),
            PositionTrust::target_emptied);
}

TEST(TrustPosition, AnEmptiedTargetVoidsPositionsThatLoadedRows) {
  EXPECT_EQ(trust_position(incremental("2026-01-01 00:00:00"), TargetFacts{false, true, "oid:1"}),
            PositionTrust::target_emptied);
  const Position mid_initial{Pass::initial, "2026-01-01 00:00:00", {"42"}, "oid:1"};
  EXPECT_EQ(trust_position(mid_initial, TargetFacts{false, true, "oid:1"}),
            PositionTrust::target_emptied);
  // An initial pass that committed no key yet loaded nothing: resuming it reads everything.
  const Position not_started{Pass::initial, "2026-01-01 00:00:00", {}, "oid:1"};
  EXPECT_EQ(trust_position(not_started, TargetFacts{false, true, "oid:1"}), PositionTrust::trusted);
}

TEST(TrustPosition, EveryVoidVerdictSaysWhy) {
  for (const auto trust : {PositionTrust::target_created,
                           PositionTrust::target_replaced,
                           PositionTrust::target_emptied}) {
    EXPECT_FALSE(to_string(trust).empty());
  }
  EXPECT_TRUE(to_string(PositionTrust::trusted).empty());
}

TEST(AdvancePosition, MovesForwardWhenTheReachedTimestampIsLater) {
  const auto start = incremental("2026-01-01 10:00:00.000000", {"5"});
  const auto reached = incremental("2026-01-01 10:00:01.000000", {"2"});
  EXPECT_EQ(advance_position(start, reached).timestamp, reached.timestamp);
  EXPECT_EQ(advance_position(start, reached).key, std::vector<std::string>{"2"});
}

TEST(AdvancePosition, NeverMovesBackWhileALookbackReReadsOlderRows) {
  const auto start = incremental("2026-01-01 10:00:00.000000", {"5"});
  const auto behind = incremental("2026-01-01 09:30:00.000000", {"900"});
  EXPECT_EQ(advance_position(start, behind).timestamp, start.timestamp);
  EXPECT_EQ(advance_position(start, behind).key, start.key);
}

TEST(AdvancePosition, StaysAtTheStartOnTheSameTimestamp) {
  // Key order within one timestamp is MySQL's collation: staying only re-reads that timestamp.
  const auto start = incremental("2026-01-01 10:00:00.000000", {"5"});
  const auto same = incremental("2026-01-01 10:00:00.000000", {"3"});
  EXPECT_EQ(advance_position(start, same).key, start.key);
}

TEST(AdvancePosition, RepeatedInterruptedRunsNeverLoseGround) {
  // Each run re-reads an hour behind its start and is killed after its first commit.
  auto stored = incremental("2026-01-01 19:28:08.000000");
  for (const char* reached : {"2026-01-01 18:29:22.000000", "2026-01-01 17:30:35.000000"}) {
    stored = advance_position(stored, incremental(reached));
    EXPECT_EQ(*stored.timestamp, "2026-01-01 19:28:08.000000");
  }
}

TEST(LoadedWatermark, StopsAtTheNewestRowUnlessTheBoundIsTrusted) {
  // Writers three hours behind MySQL's zone: the bound is ahead of every row.
  EXPECT_EQ(loaded_position("2026-12-06 12:00:00", std::string("2026-12-06 09:00:00"), false),
            std::optional<std::string>("2026-12-06 09:00:00"));
  EXPECT_EQ(loaded_position(
                "2026-12-06 12:00:00.000000", std::string("2026-12-06 12:00:00.000000"), false),
            std::optional<std::string>("2026-12-06 12:00:00.000000"));
  EXPECT_EQ(loaded_position("2026-12-06 00:00:00", std::string("2026-12-05"), false),
            std::optional<std::string>("2026-12-05")); // a DATE column
  EXPECT_FALSE(loaded_position("2026-12-06 12:00:00", std::nullopt, false).has_value());
  // A TIMESTAMP column, or the writers' zone stated: the bound holds.
  EXPECT_EQ(loaded_position("2026-12-06 12:00:00", std::string("2026-12-06 09:00:00"), true),
            std::optional<std::string>("2026-12-06 12:00:00"));
  EXPECT_EQ(loaded_position("2026-12-06 12:00:00", std::nullopt, true),
            std::optional<std::string>("2026-12-06 12:00:00"));
}

TEST(IncrementalStart, ReadsFromTheFirstRowWithoutATimestamp) {
  const auto lookback =
      incremental_start(incremental("2026-12-06 10:00:00", {"7"}), std::chrono::seconds(600));
  EXPECT_EQ(lookback.after_timestamp, std::optional<std::string>("2026-12-06 09:50:00.000000"));
  EXPECT_TRUE(lookback.after_key.empty());
  const auto exact =
      incremental_start(incremental("2026-12-06 10:00:00", {"7"}), std::chrono::seconds(0));
  EXPECT_EQ(exact.after_timestamp, std::optional<std::string>("2026-12-06 10:00:00"));
  EXPECT_EQ(exact.after_key, std::vector<std::string>{"7"});
  Position none{Pass::incremental, std::nullopt, {}, "oid:1"};
  EXPECT_FALSE(incremental_start(none, std::chrono::seconds(600)).after_timestamp.has_value());
  // A zero date cannot be looked back from: the key cursor stays, so that rows stamped with it
  // after the cursor's key are still read.
  const auto zero =
      incremental_start(incremental("0000-00-00 00:00:00", {"7"}), std::chrono::seconds(600));
  EXPECT_EQ(zero.after_timestamp, std::optional<std::string>("0000-00-00 00:00:00"));
  EXPECT_EQ(zero.after_key, std::vector<std::string>{"7"});
}

TEST(ClockZone, TimestampInUtcDatetimeInTheWritersZoneElseTheServers) {
  SourceColumn column;
  column.data_type = "timestamp";
  EXPECT_EQ(clock_zone(column, "+03:00"), "");
  column.data_type = "datetime";
  EXPECT_EQ(clock_zone(column, "+00:00"), "+00:00");
  EXPECT_EQ(clock_zone(column, ""), source::k_server_zone);
}

TEST(HeldBackNote, NamesATransactionOlderThanTheLookbackWithItsAge) {
  source::ServerClock clock{"2026-12-06 12:00:00.000000", "2026-12-06 09:57:00.000000", "42"};
  clock.oldest_transaction_age = std::chrono::minutes(123);
  const auto note = held_back_note(clock, std::chrono::minutes(10), "2026-12-06 09:56:59.999999");
  ASSERT_TRUE(note.has_value());
  EXPECT_EQ(*note,
            "an open transaction (MySQL connection 42, open for 2h 03m) holds the upper bound at "
            "2026-12-06 09:56:59.999999: rows stamped after it wait until it ends");
  clock.oldest_transaction_age = std::chrono::minutes(9); // within the lookback: nothing to say
  EXPECT_FALSE(held_back_note(clock, std::chrono::minutes(10), "x").has_value());
  clock.oldest_transaction_age = std::chrono::seconds(65); // lookback 0: a second is enough
  EXPECT_NE(held_back_note(clock, std::chrono::seconds(0), "x")->find("open for 1m 05s"),
            std::string::npos);
  clock.oldest_transaction.reset();
  clock.oldest_transaction_age = std::chrono::hours(5);
  EXPECT_FALSE(held_back_note(clock, std::chrono::seconds(0), "x").has_value());
}

TEST(ReadUpperBound, CutsNowBackToTheLastCompleteTick) {
  source::ServerClock clock;
  clock.now = "2026-01-01 12:00:00.500000";
  EXPECT_EQ(read_upper_bound(clock, 0), "2026-01-01 11:59:59.999999");
  EXPECT_EQ(read_upper_bound(clock, 6), "2026-01-01 12:00:00.499999");
  EXPECT_EQ(read_upper_bound(clock, -1), "2025-12-31 23:59:59.999999");
}

TEST(ReadUpperBound, StaysASecondBelowTheOldestOpenTransaction) {
  source::ServerClock clock;
  clock.now = "2026-01-01 12:00:00.500000";
  clock.oldest_transaction = "2026-01-01 11:58:00.000000";
  EXPECT_EQ(read_upper_bound(clock, 6), "2026-01-01 11:57:58.999999");
  EXPECT_EQ(read_upper_bound(clock, 0), "2026-01-01 11:57:58.999999");
}

TEST(ReadUpperBound, IgnoresATransactionNewerThanNow) {
  source::ServerClock clock;
  clock.now = "2026-01-01 12:00:00.500000";
  clock.oldest_transaction = "2026-01-01 12:00:05.000000"; // now already less the safety lag
  EXPECT_EQ(read_upper_bound(clock, 6), "2026-01-01 12:00:00.499999");
}

} // namespace

namespace {

PassInputs with_timestamp(std::optional<Position> position, bool empty = false) {
  PassInputs in;
  in.has_timestamp = true;
  in.position = std::move(position);
  in.target_empty = empty;
  return in;
}

PassInputs without_timestamp(std::optional<Position> position, bool empty = false) {
  auto in = with_timestamp(std::move(position), empty);
  in.has_timestamp = false;
  return in;
}

const Position k_cursor{Pass::incremental, "2026-01-01 00:00:00", {"7"}, "oid:1"};
const Position k_interrupted{Pass::initial, "2026-01-01 00:00:00", {"500"}, "oid:1"};

TEST(ChoosePass, AReplacedTableAlwaysRunsTheReplacement) {
  auto in = with_timestamp(k_cursor);
  in.replace = true;
  in.reload = true;
  EXPECT_EQ(choose_pass(in).pass, Pass::replace);
}

TEST(ChoosePass, WithoutTimestampAnEmptyTargetGetsAFullPass) {
  const auto choice = choose_pass(without_timestamp(std::nullopt, true));
  EXPECT_EQ(choice.pass, Pass::full);
  EXPECT_FALSE(choice.resume);
  EXPECT_FALSE(choice.compare_after);
}

TEST(ChoosePass, WithoutTimestampAnInterruptedFirstLoadResumesThenCompares) {
  const auto choice = choose_pass(without_timestamp(k_interrupted));
  EXPECT_EQ(choice.pass, Pass::full);
  EXPECT_TRUE(choice.resume);
  EXPECT_TRUE(choice.compare_after);
}

TEST(ChoosePass, WithoutTimestampALoadedTargetIsCompared) {
  EXPECT_EQ(choose_pass(without_timestamp(std::nullopt)).pass, Pass::compare);
  auto full = without_timestamp(std::nullopt);
  full.full = true;
  EXPECT_EQ(choose_pass(full).pass, Pass::compare);
}

TEST(ChoosePass, ReloadReadsEveryRowAndComparesForDeletesWithoutTimestamp) {
  auto in = without_timestamp(k_interrupted);
  in.reload = true;
  const auto choice = choose_pass(in);
  EXPECT_EQ(choice.pass, Pass::full);
  EXPECT_FALSE(choice.resume);
  EXPECT_TRUE(choice.compare_after);
}

TEST(ChoosePass, ReloadRunsAFreshInitialPassWithTimestamp) {
  auto in = with_timestamp(k_cursor);
  in.reload = true;
  const auto choice = choose_pass(in);
  EXPECT_EQ(choice.pass, Pass::initial);
  EXPECT_FALSE(choice.resume);
}

TEST(ChoosePass, FullOnALoadedTimestampTableComparesAndStoresTheBound) {
  auto in = with_timestamp(std::nullopt);
  in.full = true;
  const auto choice = choose_pass(in);
  EXPECT_EQ(choice.pass, Pass::compare);
  EXPECT_TRUE(choice.store_bound);
  in.target_empty = true;
  EXPECT_EQ(choose_pass(in).pass, Pass::initial);
}

TEST(ChoosePass, NoPositionOrAnInterruptedInitialPassRunsTheInitialPass) {
  EXPECT_EQ(choose_pass(with_timestamp(std::nullopt)).pass, Pass::initial);
  EXPECT_FALSE(choose_pass(with_timestamp(std::nullopt)).catch_up);
  const auto resumed = choose_pass(with_timestamp(k_interrupted));
  EXPECT_EQ(resumed.pass, Pass::initial);
  EXPECT_TRUE(resumed.resume);
  EXPECT_TRUE(resumed.catch_up); // then up to this run's bound
}

TEST(ChoosePass, ACursorRunsIncrementalAndComparesWhenDeletesAreDue) {
  auto in = with_timestamp(k_cursor);
  EXPECT_EQ(choose_pass(in).pass, Pass::incremental);
  EXPECT_FALSE(choose_pass(in).compare_after);
  in.deletes = true;
  EXPECT_FALSE(choose_pass(in).compare_after); // not due this run
  in.compare_due = true;
  EXPECT_TRUE(choose_pass(in).compare_after);
  EXPECT_FALSE(choose_pass(in).slice_only); // deletes are compared over the whole table
}

TEST(ChoosePass, WithVerifyEveryAnIncrementalRunComparesOneSliceWhenNoDeleteComparisonIsDue) {
  auto in = with_timestamp(k_cursor);
  in.verify = true;
  EXPECT_TRUE(choose_pass(in).compare_after);
  EXPECT_TRUE(choose_pass(in).slice_only);
  in.deletes = true;
  EXPECT_TRUE(choose_pass(in).slice_only); // compare_every says not this run
  in.compare_due = true;
  EXPECT_FALSE(choose_pass(in).slice_only);
  EXPECT_FALSE(choose_pass(with_timestamp(std::nullopt)).slice_only); // a first load
}

} // namespace

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(DeleteRatio, RefusesMoreThanTheShareAndNeverAnEmptyTargetOrNothing) {
  EXPECT_FALSE(exceeds_delete_ratio(50, 100, 0.5));
  EXPECT_TRUE(exceeds_delete_ratio(51, 100, 0.5));
  EXPECT_TRUE(exceeds_delete_ratio(90, 100, 0.5));
  EXPECT_FALSE(exceeds_delete_ratio(0, 0, 0.0));
  EXPECT_TRUE(exceeds_delete_ratio(1, 100, 0.0)); // 0: no delete at all without the flag
  EXPECT_FALSE(exceeds_delete_ratio(100, 100, 1.0));
  EXPECT_FALSE(exceeds_delete_ratio(0, 5, 0.5));
}

} // namespace

TEST(KeyRanges, SplitsTheKeysIntoAboutKRangeChunks) {
  const auto ranges = split_key_range(KeyRange{1000, "1", "1000"}, 4);
  ASSERT_TRUE(ranges.has_value());
  EXPECT_EQ(ranges->width, "250");
  // key DIV 250: 1..249 → 0, 250..499 → 1, ..., 1000 → 4.
  EXPECT_EQ(ranges->ids, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST(KeyRanges, CoverKeysFarFromZeroAndUnsignedBigints) {
  const auto high = split_key_range(KeyRange{100, "1000000", "1000099"}, 4);
  ASSERT_TRUE(high.has_value());
  EXPECT_EQ(high->width, "25");
  EXPECT_EQ(high->ids.front(), "40000");
  EXPECT_EQ(high->ids.back(), "40003");
  const auto unsigned_keys =
      split_key_range(KeyRange{3, "18446744073709551613", "18446744073709551615"}, 2);
  ASSERT_TRUE(unsigned_keys.has_value());
  EXPECT_EQ(unsigned_keys->width, "2");
  EXPECT_EQ(unsigned_keys->ids,
            (std::vector<std::string>{"9223372036854775806", "9223372036854775807"}));
}

TEST(KeyRanges, NoSplitForOneConnectionOrAnEmptyTable) {
  EXPECT_FALSE(split_key_range(KeyRange{1000, "1", "1000"}, 1).has_value());
  EXPECT_FALSE(split_key_range(KeyRange{0, "", ""}, 4).has_value());
  // Fewer keys than connections: one range per key.
  const auto few = split_key_range(KeyRange{2, "5", "6"}, 8);
  ASSERT_TRUE(few.has_value());
  EXPECT_EQ(few->width, "1");
  EXPECT_EQ(few->ids, (std::vector<std::string>{"5", "6"}));
}

TEST(KeyRanges, TheLayoutIsStoredAsAPositionAndReadBack) {
  const auto ranges = *split_key_range(KeyRange{1000, "1", "1000"}, 4);
  const auto stored = ranges_position(ranges, std::string("2026-11-01 00:00:00"));
  EXPECT_EQ(stored.phase, Pass::initial);
  EXPECT_EQ(stored.timestamp.value_or(""), "2026-11-01 00:00:00");
  const auto read = stored_ranges(stored);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->width, ranges.width);
  EXPECT_EQ(read->ids, ranges.ids);
  EXPECT_EQ(ranges_state_name("users"), "users#ranges");
  EXPECT_EQ(range_state_name("users", "3"), "users#range:3");
}

TEST(KeyRanges, AStoredValueThatIsNoLayoutIsRefused) {
  EXPECT_FALSE(stored_ranges(state::Position{Pass::incremental, {}, {"250", "0", "4"}, {}}));
  EXPECT_FALSE(stored_ranges(state::Position{Pass::initial, {}, {"250", "0"}, {}}));
  EXPECT_FALSE(stored_ranges(state::Position{Pass::initial, {}, {"0", "0", "4"}, {}}));
  EXPECT_FALSE(stored_ranges(state::Position{Pass::initial, {}, {"x", "0", "4"}, {}}));
  EXPECT_FALSE(stored_ranges(state::Position{Pass::initial, {}, {"250", "4", "0"}, {}}));
}

TEST(KeyRanges, AStoredLayoutIsGoneOnWithOnlyOnItsTargetByARunThatReadsFromWhereItStopped) {
  const auto ranges = *split_key_range(KeyRange{1000, "1", "1000"}, 4);
  auto stored = ranges_position(ranges, std::string("2026-11-01 00:00:00"));
  stored.target_id = "oid:16384";
  const RangeResumeFacts sync{"oid:16384", false, true, true};
  ASSERT_TRUE(resumable_ranges(stored, sync).has_value());
  EXPECT_EQ(resumable_ranges(stored, sync)->ids, ranges.ids);
  auto other_target = sync;
  other_target.target_id = "oid:99999";
  EXPECT_FALSE(resumable_ranges(stored, other_target));
  auto reload = sync;
  reload.rereads_all = true;
  EXPECT_FALSE(resumable_ranges(stored, reload));
  auto no_connections = sync;
  no_connections.can_connect = false;
  EXPECT_FALSE(resumable_ranges(stored, no_connections));
  // A full pass's layout has no bound; an initial pass needs one.
  auto unbounded = ranges_position(ranges, std::nullopt);
  unbounded.target_id = "oid:16384";
  EXPECT_FALSE(resumable_ranges(unbounded, sync));
  EXPECT_TRUE(resumable_ranges(unbounded, RangeResumeFacts{"oid:16384", false, false, true}));
}

namespace migrate::pipeline {
namespace {

TEST(CompareContentAfter, OnTheCadenceAndWithinTheBudget) {
  using config::ValidateAfter;
  EXPECT_TRUE(compare_content_after(ValidateAfter::checksum, 0, 1, true));
  EXPECT_FALSE(compare_content_after(ValidateAfter::checksum, 0, 1, false)); // budget spent
  EXPECT_FALSE(compare_content_after(ValidateAfter::counts, 0, 4, true));
  EXPECT_FALSE(compare_content_after(ValidateAfter::counts, 4, 3, true));
  EXPECT_TRUE(compare_content_after(ValidateAfter::counts, 4, 4, true));
  EXPECT_TRUE(compare_content_after(ValidateAfter::counts, 4, 8, true));
  EXPECT_FALSE(compare_content_after(ValidateAfter::counts, 4, 8, false));
  EXPECT_FALSE(compare_content_after(ValidateAfter::none, 1, 1, true));
}

} // namespace
} // namespace migrate::pipeline

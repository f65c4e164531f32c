// What every StateStore must do, as typed test cases. Instantiated for the in-memory fake and the
// SQLite store (tests/unit/test_contract_state.cpp), so the fake cannot drift from the real one.
//
// Env: a ::testing::Test with `std::unique_ptr<state::StateStore> make_store()`.
#pragma once

#include "migrate/core/error.hpp"
#include "migrate/state/state_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace migrate::contract {

template<typename Env>
class StateStoreContract : public Env {};

TYPED_TEST_SUITE_P(StateStoreContract);

TYPED_TEST_P(StateStoreContract, KeepsOnePositionPerTable) {
  auto store = this->make_store();
  EXPECT_FALSE(store->position("users").has_value());
  store->save_position(
      "users", state::Position{Pass::initial, "2026-01-01 00:00:00", {"7", "a b"}, "16384"});
  store->save_position("orders", state::Position{Pass::incremental, "2026-01-02 00:00:00", {}, ""});
  store->save_position(
      "users", state::Position{Pass::incremental, "2026-01-03 00:00:00", {"9", ""}, "16384"});
  const auto users = store->position("users");
  ASSERT_TRUE(users.has_value());
  EXPECT_EQ(users->phase, Pass::incremental);
  EXPECT_EQ(users->timestamp.value_or(""), "2026-01-03 00:00:00");
  EXPECT_EQ(users->key, (std::vector<std::string>{"9", ""}));
  EXPECT_EQ(users->target_id, "16384");
  EXPECT_TRUE(store->position("orders")->key.empty());
  store->clear_position("users");
  EXPECT_FALSE(store->position("users").has_value());
  EXPECT_TRUE(store->position("orders").has_value());
}

TYPED_TEST_P(StateStoreContract, RecordsRunsWithTheirErrorsAndReportsTheLatest) {
  auto store = this->make_store();
  TableResult ok;
  ok.table = "users";
  ok.mode = RunMode{Pass::initial, false};
  ok.counts.rows_read = 10;
  ok.counts.inserted = 9;
  ok.counts.quarantined = 1;
  ok.started = std::chrono::system_clock::now();
  ok.finished = ok.started + std::chrono::seconds(3);
  ok.upper_bound = "2026-01-01 00:00:00";
  store->finish_run(store->begin_run("users"), ok);
  TableResult failed = ok;
  failed.mode = RunMode{Pass::incremental, true};
  failed.outcome = Outcome::failed;
  failed.schema_changes = {"public.users: add column age integer (nullable)",
                           "public.users: name varchar(50) -> varchar(100)"};
  failed.error = Error(ErrorArea::source,
                       "Lost connection",
                       ErrorContext{.table = "users", .sqlstate = "mysql-2013", .transient = true});
  store->finish_run(store->begin_run("users"), failed);
  store->begin_run("orders"); // never finished

  EXPECT_EQ(store->successful_runs("users"), 1U);
  EXPECT_EQ(store->successful_runs("orders"), 0U);
  const auto runs = store->latest_runs();
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].result.table, "orders");
  EXPECT_TRUE(runs[0].unfinished);
  EXPECT_EQ(runs[0].result.outcome, Outcome::failed);
  EXPECT_NE(runs[0].result.error_text().find("did not finish"), std::string::npos);
  const auto& users = runs[1].result;
  EXPECT_FALSE(runs[1].unfinished);
  EXPECT_EQ(users.mode, (RunMode{Pass::incremental, true}));
  EXPECT_EQ(users.counts.rows_read, 10U);
  EXPECT_EQ(users.counts.quarantined, 1U);
  EXPECT_EQ(users.upper_bound, "2026-01-01 00:00:00");
  ASSERT_TRUE(users.error.has_value());
  EXPECT_EQ(users.error->area(), ErrorArea::source);
  EXPECT_EQ(users.error->message(), "Lost connection");
  EXPECT_EQ(users.error->context().sqlstate, "mysql-2013");
  EXPECT_TRUE(users.error->is_transient());
  EXPECT_NEAR(users.seconds(), 3.0, 0.01);
  EXPECT_EQ(users.schema_changes, failed.schema_changes);
  EXPECT_TRUE(store->runs("users", 2).front().result.schema_changes.empty());
}

TYPED_TEST_P(StateStoreContract, QuarantineKeepsOneEntryPerRowAndColumnUntilReleased) {
  auto store = this->make_store();
  store->quarantine({{"users", "id=1", "email", "bad utf-8", "ff", 1, {}},
                     {"users", "id=1", "name", "too long", "61", 1, {}},
                     {"orders", "id=5", "total", "out of range", "39", 1, {}}});
  store->quarantine({{"users", "id=1", "email", "still bad", "fe", 2, {}}});
  auto users = store->quarantined("users");
  ASSERT_EQ(users.size(), 2U);
  const auto& email = users[0].column == "email" ? users[0] : users[1];
  EXPECT_EQ(email.reason, "still bad");
  EXPECT_EQ(email.raw_hex, "fe");
  EXPECT_EQ(email.table_run_id, 2);
  EXPECT_FALSE(email.at.empty());
  EXPECT_EQ(store->quarantined("").size(), 3U);
  store->release("users", {"id=1", "id=99"});
  EXPECT_TRUE(store->quarantined("users").empty());
  EXPECT_EQ(store->quarantined("orders").size(), 1U);
}

TYPED_TEST_P(StateStoreContract, ListsATablesLastRunsAndValidationsOldestFirst) {
  auto store = this->make_store();
  for (std::uint64_t rows = 1; rows <= 3; ++rows) {
    TableResult result;
    result.table = "users";
    result.counts.rows_read = rows;
    store->finish_run(store->begin_run("users"), result);
  }
  store->begin_run("orders");
  const auto runs = store->runs("users", 2);
  ASSERT_EQ(runs.size(), 2U);
  EXPECT_EQ(runs[0].result.counts.rows_read, 2U);
  EXPECT_EQ(runs[1].result.counts.rows_read, 3U);
  EXPECT_LT(runs[0].id, runs[1].id);
  state::ValidationRecord first;
  first.table = "users";
  first.outcome = Agreement::mismatch;
  first.unexplained = 2;
  first.rows = {{"id=1", "missing in target", "0"}, {"id=9", "extra in target", "0"}};
  store->record_validation(first);
  auto second = first;
  second.outcome = Agreement::in_sync;
  second.rows.clear();
  store->record_validation(second);
  const auto all = store->validations("users", 10, true);
  ASSERT_EQ(all.size(), 2U);
  EXPECT_STREQ(to_string(all[0].outcome), "mismatch");
  EXPECT_FALSE(all[0].at.empty());
  ASSERT_EQ(all[0].rows.size(), 2U);
  EXPECT_EQ(all[0].rows[1].difference, "extra in target");
  EXPECT_STREQ(to_string(all[1].outcome), "in sync");
  EXPECT_TRUE(store->validations("users", 10, false)[0].rows.empty());
  EXPECT_TRUE(store->validations("orders", 10, true).empty());
}

TYPED_TEST_P(StateStoreContract, GroupsRunsIntoInvocationsAndFindsTheLastSuccess) {
  auto store = this->make_store();
  EXPECT_FALSE(store->last_successful_run("users").has_value());
  const auto first = store->begin_invocation({"host-a", 42, "--config /etc/migrate"});
  TableResult ok;
  ok.table = "users";
  ok.counts.inserted = 5;
  ok.counts.quarantined = 1;
  store->finish_run(store->begin_run("users"), ok);
  TableResult failed = ok;
  failed.table = "orders";
  failed.outcome = Outcome::failed;
  failed.error = Error(ErrorArea::target, "boom");
  store->finish_run(store->begin_run("orders"), failed);
  store->finish_invocation(first, 1, 2);
  const auto second = store->begin_invocation({"host-b", 43, "--table users"});
  store->begin_run("users"); // the process died
  const auto invocations = store->invocations(10);
  ASSERT_EQ(invocations.size(), 2U);
  EXPECT_EQ(invocations[0].id, second); // newest first
  EXPECT_FALSE(invocations[0].exit_code.has_value());
  EXPECT_EQ(invocations[0].tables_failed, 1U);
  EXPECT_EQ(invocations[1].start.host, "host-a");
  EXPECT_EQ(invocations[1].exit_code.value_or(-1), 1);
  EXPECT_EQ(invocations[1].notify_failures, 2U);
  EXPECT_EQ(invocations[1].tables_ok, 1U);
  EXPECT_EQ(invocations[1].tables_failed, 1U);
  EXPECT_EQ(invocations[1].rows_moved, 10U);
  EXPECT_EQ(invocations[1].quarantined, 2U);
  const auto last_ok = store->last_successful_run("users");
  ASSERT_TRUE(last_ok.has_value());
  EXPECT_EQ(last_ok->invocation_id, first);
  EXPECT_FALSE(store->last_successful_run("orders").has_value());
}

TYPED_TEST_P(StateStoreContract, HoldsACutOverTableUntilItIsReverted) {
  auto store = this->make_store();
  EXPECT_FALSE(store->cutover_in_force("orders").has_value());
  EXPECT_FALSE(store->revert_cutover("orders", "dba@db1"));
  state::CutoverRecord stopped;
  stopped.table = "orders";
  stopped.invocation_id = 7;
  stopped.by = "dba@db1";
  stopped.outcome = "stopped: PostgreSQL differs from MySQL";
  store->record_cutover(stopped);
  EXPECT_FALSE(store->cutover_in_force("orders").has_value()); // a stopped cutover holds nothing
  auto done = stopped;
  done.invocation_id = 8;
  done.outcome = "done";
  done.summary = "final sync: 1 deleted; 3 statements done";
  const auto id = store->record_cutover(done);
  store->record_cutover(stopped); // a later attempt that stopped leaves the cutover in force
  const auto held = store->cutover_in_force("orders");
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->id, id);
  EXPECT_EQ(held->invocation_id, 8);
  EXPECT_EQ(held->by, "dba@db1");
  EXPECT_EQ(held->summary, "final sync: 1 deleted; 3 statements done");
  EXPECT_EQ(held->at.size(), std::string("2026-11-25T02:00:00Z").size());
  EXPECT_FALSE(store->cutover_in_force("users").has_value());
  EXPECT_TRUE(store->revert_cutover("orders", "ops@db2"));
  EXPECT_FALSE(store->cutover_in_force("orders").has_value());
  EXPECT_FALSE(store->revert_cutover("orders", "ops@db2"));
  const auto all = store->cutovers(10);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[0].outcome, stopped.outcome); // newest first
  EXPECT_EQ(all[1].reverted_by, "ops@db2");
  EXPECT_FALSE(all[1].reverted_at.empty());
  EXPECT_EQ(store->cutovers(1).size(), 1U);
}

// Retention: what is older than the cutoffs goes, but the newest run and validation of each table
// stay, and quarantined rows keep their key and reason when their raw values are blanked.
TYPED_TEST_P(StateStoreContract, PrunesWhatIsOlderThanTheCutoffsButEachTablesNewest) {
  auto store = this->make_store();
  const auto invocation = store->begin_invocation({"host", 1, ""});
  TableResult result;
  result.table = "users";
  store->finish_run(store->begin_run("users"), result);
  store->finish_run(store->begin_run("users"), result);
  result.table = "orders";
  store->finish_run(store->begin_run("orders"), result);
  store->finish_invocation(invocation, 0, 0);
  store->finish_invocation(store->begin_invocation({"host", 2, ""}), 0, 0); // no table ran
  state::ValidationRecord validation;
  validation.table = "users";
  validation.outcome = Agreement::mismatch;
  validation.rows = {{"id=1", "missing in target", "0"}};
  store->record_validation(validation);
  store->record_validation(validation);
  store->quarantine({{"users", "id=1", "email", "bad utf-8", "ff", 1, {}}});
  EXPECT_EQ(store->prune({}).runs, 0U); // no cutoff: everything stays

  // The stores keep times to the second: everything so far is older than the next second.
  const auto cutoff = std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now()
                                                              + std::chrono::milliseconds(1));
  std::this_thread::sleep_until(cutoff);
  store->quarantine({{"users", "id=2", "email", "bad utf-8", "fe", 2, {}}});
  const auto ok_runs = store->successful_runs("users");
  const auto counts = store->prune({cutoff, cutoff, cutoff});
  EXPECT_EQ(counts.runs, 1U);
  // The cadences counted in runs (compare_every, verify_every) go on turning.
  EXPECT_EQ(store->successful_runs("users"), ok_runs);
  EXPECT_EQ(counts.invocations, 1U);
  EXPECT_EQ(counts.validations, 1U);
  EXPECT_EQ(counts.quarantine_values, 1U);
  EXPECT_EQ(store->runs("users", 10).size(), 1U);
  EXPECT_EQ(store->runs("orders", 10).size(), 1U);
  EXPECT_EQ(store->invocations(10).size(), 1U);
  const auto kept = store->validations("users", 10, true);
  ASSERT_EQ(kept.size(), 1U);
  EXPECT_EQ(kept[0].rows.size(), 1U);
  auto quarantined = store->quarantined("users");
  ASSERT_EQ(quarantined.size(), 2U);
  std::sort(quarantined.begin(), quarantined.end(), [](const auto& a, const auto& b) {
    return a.key < b.key;
  });
  EXPECT_EQ(quarantined[0].raw_hex, "");
  EXPECT_EQ(quarantined[0].reason, "bad utf-8");
  EXPECT_EQ(quarantined[1].raw_hex, "fe");
  EXPECT_EQ(store->prune({cutoff, cutoff, cutoff}).quarantine_values, 0U); // blanked once
}

REGISTER_TYPED_TEST_SUITE_P(StateStoreContract,
                            PrunesWhatIsOlderThanTheCutoffsButEachTablesNewest,
                            HoldsACutOverTableUntilItIsReverted,
                            GroupsRunsIntoInvocationsAndFindsTheLastSuccess,
                            ListsATablesLastRunsAndValidationsOldestFirst,
                            KeepsOnePositionPerTable,
                            RecordsRunsWithTheirErrorsAndReportsTheLatest,
                            QuarantineKeepsOneEntryPerRowAndColumnUntilReleased);

} // namespace migrate::contract

// read_snapshot() and restore(): what `migrate state copy` moves between stores, on SQLite.
#include "fakes/memory_state_store.hpp"

#include "migrate/core/error.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <gtest/gtest.h>

using namespace migrate;

namespace {

// A store with something of everything: a finished and an unfinished invocation, an ok, a failed
// and an unfinished run, a position, a quarantined row and a validation with a differing row.
void fill(state::StateStore& store) {
  const auto first = store.begin_invocation({"host-a", 42, "--config /etc/migrate"});
  TableResult ok;
  ok.table = "users";
  ok.counts.inserted = 5;
  ok.started = std::chrono::system_clock::now();
  ok.finished = ok.started + std::chrono::seconds(2);
  store.finish_run(store.begin_run("users"), ok);
  TableResult failed = ok;
  failed.table = "orders";
  failed.outcome = Outcome::failed;
  failed.error =
      Error(ErrorArea::target, "boom", ErrorContext{.table = "orders", .sqlstate = "XX"});
  store.finish_run(store.begin_run("orders"), failed);
  store.finish_invocation(first, 1, 0);
  store.begin_invocation({"host-b", 43, "--worker-id w2"});
  store.begin_run("users"); // the process died
  store.save_position("users", state::Position{Pass::incremental, "2026-01-01", {"7"}, "1"});
  store.quarantine({{"users", "id=1", "email", "bad utf-8", "ff", 1, {}}});
  state::ValidationRecord validation;
  validation.table = "users";
  validation.outcome = Agreement::mismatch;
  validation.rows = {{"id=3", "missing in target", "0"}};
  store.record_validation(validation);
  state::CutoverRecord cutover;
  cutover.table = "orders";
  cutover.invocation_id = first;
  cutover.by = "dba@host-a";
  cutover.outcome = "done";
  store.record_cutover(cutover);
}

} // namespace

TEST(StateSnapshot, RestoresEverythingIntoAnEmptyStoreKeepingIdsAndTimes) {
  auto from = state::open_sqlite_state(":memory:");
  fill(*from);
  const auto before = state::read_snapshot(*from, {"users", "orders"});
  ASSERT_EQ(before.runs.size(), 3U);
  ASSERT_EQ(before.invocations.size(), 2U);
  auto to = state::open_sqlite_state(":memory:");
  to->restore(before);
  const auto after = state::read_snapshot(*to, {});
  ASSERT_EQ(after.runs.size(), 3U);
  ASSERT_EQ(after.cutovers.size(), 1U);
  EXPECT_EQ(after.cutovers[0].at, before.cutovers.at(0).at);
  EXPECT_TRUE(to->cutover_in_force("orders").has_value()); // a copied store holds the table too
  for (std::size_t i = 0; i < after.runs.size(); ++i) {
    EXPECT_EQ(after.runs[i].id, before.runs[i].id);
    EXPECT_EQ(after.runs[i].invocation_id, before.runs[i].invocation_id);
    EXPECT_EQ(after.runs[i].unfinished, before.runs[i].unfinished);
    EXPECT_EQ(after.runs[i].result.outcome, before.runs[i].result.outcome);
    EXPECT_EQ(after.runs[i].result.started, before.runs[i].result.started);
    EXPECT_EQ(after.runs[i].result.error_text(), before.runs[i].result.error_text());
  }
  ASSERT_EQ(after.invocations.size(), 2U);
  EXPECT_FALSE(after.invocations[0].exit_code.has_value());
  EXPECT_EQ(after.invocations[1].exit_code.value_or(-1), 1);
  EXPECT_EQ(after.invocations[1].tables_failed, 1U);
  EXPECT_EQ(after.invocations[1].start.options, "--config /etc/migrate");
  ASSERT_EQ(after.positions.size(), 1U);
  EXPECT_EQ(after.positions[0].second.key, std::vector<std::string>{"7"});
  ASSERT_EQ(after.quarantine.size(), 1U);
  EXPECT_EQ(after.quarantine[0].at, before.quarantine[0].at);
  ASSERT_EQ(after.validations.size(), 1U);
  EXPECT_EQ(after.validations[0].id, before.validations[0].id);
  ASSERT_EQ(after.validations[0].rows.size(), 1U);
  EXPECT_EQ(after.validations[0].rows[0].difference, "missing in target");
  // New ids follow the copied ones.
  EXPECT_GT(to->begin_run("users"), before.runs.back().id);
}

TEST(StateSnapshot, RefusesToRestoreIntoAStoreThatHasHistory) {
  auto from = state::open_sqlite_state(":memory:");
  fill(*from);
  auto to = state::open_sqlite_state(":memory:");
  to->begin_run("users");
  try {
    to->restore(state::read_snapshot(*from, {}));
    FAIL() << "restored over existing history";
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::state);
    EXPECT_NE(std::string(e.what()).find("copy into an empty one"), std::string::npos);
  }
}

TEST(StateSnapshot, AStoreThatCannotTakeACopySaysSo) {
  fakes::MemoryStateStore memory;
  EXPECT_THROW(memory.restore({}), Error);
}

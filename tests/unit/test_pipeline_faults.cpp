// The pipeline when any call of the source, the target (with its readers and load sessions) or the
// state store fails: for every call a two-run scenario makes, a run fails at exactly that call,
// and afterwards the content is right. A run that says ok has every row; a failed one is said to
// have failed; the next clean run repairs everything. With retries, a transient failure at any
// call is absorbed within the same run.
#include "fakes/faults.hpp"
#include "fakes/memory_source.hpp"
#include "fakes/memory_state_store.hpp"
#include "fakes/memory_target.hpp"

#include "migrate/pipeline/table_sync.hpp"

#include <gtest/gtest.h>

namespace migrate::fakes {
namespace {

SourceColumn column(const std::string& name, const std::string& data_type, bool nullable = true) {
  SourceColumn c;
  c.name = name;
  c.data_type = c.column_type = data_type;
  c.nullable = nullable;
  if (data_type == "varchar") {
    c.char_length = 40;
    c.column_type = "varchar(40)";
    c.charset = "utf8mb4";
  }
  return c;
}

// items: a timestamp table read incrementally; tags: no timestamp, compared with deletes.
struct World {
  MemorySource source;
  MemoryTarget target;
  MemoryStateStore state;

  World() {
    source.set_now("2026-03-01 00:00:00.000000");
    std::vector<Row> items;
    for (int id = 1; id <= 12; ++id) {
      items.push_back(
          {std::to_string(id),
           id == 5 ? std::optional<std::string>("bad \xff text") : "item " + std::to_string(id),
           "2026-01-01 00:00:" + std::string(id < 10 ? "0" : "") + std::to_string(id)});
    }
    source.put_table(SourceTable{"items",
                                 {column("id", "int", false),
                                  column("name", "varchar"),
                                  column("updated_at", "datetime")},
                                 {"id"},
                                 {}},
                     items);
    source.put_table(
        SourceTable{"tags", {column("id", "int", false), column("label", "varchar")}, {"id"}, {}},
        {{"1", "red"}, {"2", "green"}, {"3", std::nullopt}, {"7", "blue"}});
  }

  // The second run's changes, stamped after the first run's bound (its "now"): an update, an
  // insert, the bad row fixed; a delete, an update and an insert in tags.
  void change() {
    source.set_now("2026-04-01 00:00:00.000000");
    source.upsert("items", {"3", "item 3 again", "2026-03-15 00:00:00"});
    source.upsert("items", {"13", "item 13", "2026-03-15 00:00:01"});
    source.upsert("items", {"5", "item 5 fixed", "2026-03-15 00:00:02"});
    source.erase("tags", {"2"});
    source.upsert("tags", {"1", "crimson"});
    source.upsert("tags", {"9", "gold"});
  }
};

config::TableMapping mapping(const std::string& table) {
  config::TableMapping m;
  m.name = m.source_table = m.target_table = table;
  if (table == "items") {
    m.timestamp_column = "updated_at";
  }
  m.batch_size = 2;
  m.commit_rows = 4;
  m.chunk_rows = 3;
  return m;
}

// The source's rows that the target must hold: all but those the quarantine holds.
void expect_synced(World& world, const std::string& table, const std::string& context) {
  const auto quarantined = world.state.quarantined(table);
  std::vector<Row> expected;
  for (const auto& row : world.source.rows(table)) {
    const bool held = std::any_of(quarantined.begin(), quarantined.end(), [&](const auto& entry) {
      return entry.key == "id=" + *row[0];
    });
    if (!held) {
      expected.push_back(row);
    }
  }
  std::sort(expected.begin(), expected.end(), [](const Row& a, const Row& b) {
    return std::stoi(*a[0]) < std::stoi(*b[0]);
  });
  std::vector<Row> actual;
  for (auto row : world.target.rows("public", table)) {
    row.resize(expected.empty() ? row.size() : expected[0].size()); // without the tool's columns
    actual.push_back(row);
  }
  std::sort(actual.begin(), actual.end(), [](const Row& a, const Row& b) {
    return std::stoi(*a[0]) < std::stoi(*b[0]);
  });
  EXPECT_EQ(actual, expected) << table << ": " << context;
}

struct RunOutcome {
  bool ok = true;
  std::string error;
};

// Both tables, as one invocation runs them; an exception (the state store failed) ends it.
RunOutcome run(World& world,
               source::Source& source,
               target::Target& target,
               state::StateStore& state,
               const pipeline::SyncOptions& options) {
  RunOutcome outcome;
  for (const char* table : {"items", "tags"}) {
    try {
      const auto result = pipeline::sync_table(mapping(table), source, target, state, options);
      if (result.outcome != Outcome::ok) {
        return RunOutcome{false, result.error_text()};
      }
      expect_synced(world, table, "after a run that said ok");
    } catch (const Error& e) {
      return RunOutcome{false, e.what()};
    }
  }
  return outcome;
}

struct Counts {
  std::size_t source = 0, target = 0, state = 0;
};

// Runs the scenario (first load, changes, second run), failing the adapter `area` at call
// `fail_at`; returns each adapter's number of calls and whether any run failed.
Counts scenario(World& world,
                ErrorArea area,
                std::size_t fail_at,
                bool transient,
                std::size_t retries,
                std::vector<RunOutcome>& outcomes) {
  FaultPlan source_faults(ErrorArea::source, area == ErrorArea::source ? fail_at : 0, transient);
  FaultPlan target_faults(ErrorArea::target, area == ErrorArea::target ? fail_at : 0, transient);
  FaultPlan state_faults(ErrorArea::state, area == ErrorArea::state ? fail_at : 0, transient);
  FaultySource source(world.source, source_faults);
  FaultyTarget target(world.target, target_faults);
  FaultyStateStore state(world.state, state_faults);
  pipeline::SyncOptions options;
  options.retry = config::Retry{retries, std::chrono::seconds(0)};
  outcomes.push_back(run(world, source, target, state, options));
  world.change();
  outcomes.push_back(run(world, source, target, state, options));
  return Counts{source_faults.calls(), target_faults.calls(), state_faults.calls()};
}

std::size_t calls_of(const Counts& counts, ErrorArea area) {
  return area == ErrorArea::source ? counts.source
                                   : (area == ErrorArea::target ? counts.target : counts.state);
}

class PipelineFaults : public ::testing::TestWithParam<ErrorArea> {};

TEST_P(PipelineFaults, AFailureAtAnyCallIsReportedAndRepairedByTheNextRun) {
  World rehearsal;
  std::vector<RunOutcome> clean;
  const auto counts = scenario(rehearsal, GetParam(), 0, false, 0, clean);
  ASSERT_TRUE(clean[0].ok && clean[1].ok) << clean[0].error << clean[1].error;
  expect_synced(rehearsal, "items", "rehearsal");
  EXPECT_TRUE(rehearsal.state.quarantined("items").empty()); // the bad row was fixed and released
  const auto calls = calls_of(counts, GetParam());
  ASSERT_GT(calls, 5U);
  for (std::size_t n = 1; n <= calls; ++n) {
    World world;
    std::vector<RunOutcome> outcomes;
    scenario(world, GetParam(), n, false, 0, outcomes);
    const bool failed = !outcomes[0].ok || !outcomes[1].ok;
    EXPECT_TRUE(failed) << "a failure at call " << n << " was not reported";
    const auto error = !outcomes[0].ok ? outcomes[0].error : outcomes[1].error;
    EXPECT_NE(error.find("injected failure"), std::string::npos) << "call " << n << ": " << error;
    // The next run, without failures, brings everything in.
    std::vector<RunOutcome> repair;
    repair.push_back(run(world, world.source, world.target, world.state, {}));
    ASSERT_TRUE(repair[0].ok) << "call " << n << ": " << repair[0].error;
    expect_synced(world, "items", "after a failure at call " + std::to_string(n));
    expect_synced(world, "tags", "after a failure at call " + std::to_string(n));
    EXPECT_TRUE(world.state.quarantined("items").empty()) << "call " << n;
  }
}

TEST_P(PipelineFaults, ATransientFailureAtAnyCallIsRetriedWithinTheRun) {
  World rehearsal;
  std::vector<RunOutcome> clean;
  const auto calls = calls_of(scenario(rehearsal, GetParam(), 0, true, 2, clean), GetParam());
  for (std::size_t n = 1; n <= calls; ++n) {
    World world;
    std::vector<RunOutcome> outcomes;
    scenario(world, GetParam(), n, true, 2, outcomes);
    // The state store is not retried: its failure ends the run (the tool must not go on
    // without recording what it did).
    if (GetParam() != ErrorArea::state) {
      EXPECT_TRUE(outcomes[0].ok && outcomes[1].ok)
          << "call " << n << ": " << outcomes[0].error << outcomes[1].error;
    }
    std::vector<RunOutcome> repair;
    repair.push_back(run(world, world.source, world.target, world.state, {}));
    ASSERT_TRUE(repair[0].ok) << "call " << n << ": " << repair[0].error;
    expect_synced(world, "items", "after a transient failure at call " + std::to_string(n));
    expect_synced(world, "tags", "after a transient failure at call " + std::to_string(n));
  }
}

INSTANTIATE_TEST_SUITE_P(Adapters,
                         PipelineFaults,
                         ::testing::Values(ErrorArea::source, ErrorArea::target, ErrorArea::state),
                         [](const auto& param) { return std::string(to_string(param.param)); });

} // namespace
} // namespace migrate::fakes

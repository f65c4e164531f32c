// One table's validation: the verdict from its classified rows (pure), and the count and checksum
// verdicts and --repair over the in-memory adapters, after a run has synced the table.
#include "fakes/memory_source.hpp"
#include "fakes/memory_state_store.hpp"
#include "fakes/memory_target.hpp"

#include "migrate/pipeline/table_sync.hpp"
#include "migrate/validate/table_validation.hpp"

#include <gtest/gtest.h>

using namespace migrate;
using namespace migrate::validate;

namespace {

TableVerdict with_rows(const std::vector<std::string>& differences) {
  TableVerdict verdict;
  verdict.record.table = "items";
  verdict.record.checksum = true;
  int key = 0;
  for (const auto& difference : differences) {
    verdict.record.rows.push_back({"id=" + std::to_string(++key), difference, "0"});
  }
  return verdict;
}

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

// `items` (id, name, updated_at), nine rows, synced once into the target. Single-digit ids keep
// the target's rows in the same order as stored and by key (set_value() takes the stored index).
struct World {
  fakes::MemorySource source;
  fakes::MemoryTarget target;
  fakes::MemoryStateStore state;
  config::TableMapping mapping;

  World() {
    source.set_now("2026-03-01 00:00:00.000000");
    std::vector<fakes::Row> rows;
    for (int id = 1; id <= 9; ++id) {
      rows.push_back({std::to_string(id),
                      "item " + std::to_string(id),
                      "2026-01-01 00:00:0" + std::to_string(id)});
    }
    source.put_table(SourceTable{"items",
                                 {column("id", "int", false),
                                  column("name", "varchar"),
                                  column("updated_at", "datetime")},
                                 {"id"},
                                 {}},
                     rows);
    mapping.name = mapping.source_table = mapping.target_table = "items";
    mapping.timestamp_column = "updated_at";
    mapping.chunk_rows = 4;
    const auto result = pipeline::sync_table(mapping, source, target, state, {});
    EXPECT_EQ(result.outcome, Outcome::ok) << result.error_text();
  }

  // Changes the name of row `id` in the target behind the tool's back.
  void edit_target(const std::string& id, const std::string& name) {
    const auto rows = target.rows("public", "items");
    for (std::size_t row = 0; row < rows.size(); ++row) {
      if (rows[row][0] == id) {
        target.set_value("public", "items", row, 1, name);
      }
    }
  }

  std::optional<std::string> target_name(const std::string& id) const {
    for (const auto& row : target.rows("public", "items")) {
      if (row[0] == id) {
        return row[1];
      }
    }
    return std::nullopt;
  }
};

} // namespace

TEST(TableVerdict, SummarisesMismatchesBeforeLegitimateDifferences) {
  auto verdict = with_rows({"missing in target", "changed since the last run", "in quarantine"});
  summarise_rows(verdict);
  EXPECT_STREQ(to_string(verdict.record.outcome), "mismatch");
  EXPECT_EQ(verdict.record.summary,
            "DIFFERS: 1 missing in target; 1 changed since the last run, 1 in quarantine");
  EXPECT_EQ(verdict.record.unexplained, 1U);
  EXPECT_EQ(verdict.record.behind, 1U);
  EXPECT_EQ(verdict.result(), "DIFFERS");
  EXPECT_FALSE(verdict.ok());
}

TEST(TableVerdict, RowsChangedOrNotLoadedYetAreBehindAndQuarantinedRowsAreQuarantine) {
  auto behind = with_rows(
      {"changed since the last run", "not loaded yet (first load under way)", "in quarantine"});
  summarise_rows(behind);
  EXPECT_STREQ(to_string(behind.record.outcome), "behind");
  EXPECT_EQ(behind.record.behind, 2U);
  EXPECT_EQ(behind.result(), "ok");

  auto quarantine = with_rows({"in quarantine", "in quarantine"});
  summarise_rows(quarantine);
  EXPECT_STREQ(to_string(quarantine.record.outcome), "quarantine");
  EXPECT_EQ(quarantine.record.summary, "2 in quarantine");

  auto equal = with_rows({});
  summarise_rows(equal);
  EXPECT_STREQ(to_string(equal.record.outcome), "in sync");
  EXPECT_EQ(equal.record.summary, "in sync");
}

TEST(TableVerdict, ChunksWithoutRowsAreAMismatchSaidByWhyNoRowNamesThem) {
  auto floats = with_rows({"changed since the last run"});
  floats.chunks_without_rows = {"2", "5"};
  summarise_rows(floats);
  EXPECT_STREQ(to_string(floats.record.outcome), "mismatch");
  EXPECT_EQ(floats.record.summary,
            "DIFFERS: 2 chunk(s) differing in float sums only; 1 changed since the last run");

  auto keyless = with_rows({});
  keyless.keyless = true;
  keyless.chunks_without_rows = {"0"};
  summarise_rows(keyless);
  EXPECT_EQ(keyless.record.summary, "DIFFERS: the table differs (no key names its rows)");
}

TEST(TableVerdict, ResultSaysErrorMismatchOrDiffers) {
  TableVerdict counts;
  counts.record.outcome = Agreement::mismatch;
  EXPECT_EQ(counts.result(), "MISMATCH");
  counts.record.error = "lost connection";
  counts.record.outcome = Agreement::error;
  EXPECT_EQ(counts.result(), "error");
  counts.record.error.clear();
  counts.record.outcome = Agreement::in_sync;
  EXPECT_EQ(counts.result(), "ok");
}

TEST(TableVerdict, RepairsTheChunksOfMismatchesAndThoseWithoutRowsOnce) {
  TableVerdict verdict;
  verdict.chunks_without_rows = {"7", "2"};
  verdict.chunks_with_mismatches = {"2", "4"};
  EXPECT_EQ(chunks_to_repair(verdict), (std::vector<std::string>{"2", "4", "7"}));
}

TEST(TableVerdict, NamesWhatAComparisonInPartMisses) {
  pipeline::ChecksumReport report;
  EXPECT_EQ(partly_compared_text(report), "every column by its normalised text");
  report.partly_compared = {"price (float: the chunk's sum)", "doc (NULL or not)"};
  EXPECT_EQ(partly_compared_text(report), "price (float: the chunk's sum), doc (NULL or not)");
}

TEST(TableValidation, ASyncedTableIsInSyncByCountsAndByChecksum) {
  World world;
  const auto counts = count_verdict(world.mapping, world.source, world.target, world.state);
  EXPECT_STREQ(to_string(counts.record.outcome), "in sync") << counts.record.summary;
  EXPECT_EQ(counts.record.source_rows, 9U);
  EXPECT_EQ(counts.record.target_rows, 9U);
  EXPECT_FALSE(counts.record.checksum);

  const auto checksum = checksum_verdict(world.mapping, world.source, world.target, world.state);
  EXPECT_STREQ(to_string(checksum.record.outcome), "in sync") << checksum.record.summary;
  EXPECT_TRUE(checksum.record.checksum);
  EXPECT_TRUE(checksum.record.rows.empty());
  EXPECT_GT(checksum.record.chunks_compared, 0U);
  EXPECT_FALSE(checksum.report.checksum.empty());
}

TEST(TableValidation, RowsNewInMysqlSinceTheRunAreBehindNotAMismatch) {
  World world;
  world.source.set_now("2026-04-01 00:00:00.000000");
  world.source.upsert("items", {"10", "item 10", "2026-03-15 00:00:00"}); // after the run's bound
  const auto counts = count_verdict(world.mapping, world.source, world.target, world.state);
  EXPECT_STREQ(to_string(counts.record.outcome), "behind") << counts.record.summary;
  EXPECT_EQ(counts.record.behind, 1U);
  EXPECT_EQ(counts.record.summary, "behind by 1 row changed since the last run");

  const auto checksum = checksum_verdict(world.mapping, world.source, world.target, world.state);
  EXPECT_STREQ(to_string(checksum.record.outcome), "behind") << checksum.record.summary;
  ASSERT_EQ(checksum.record.rows.size(), 1U);
  EXPECT_EQ(checksum.record.rows[0].key, "id=10");
  EXPECT_EQ(checksum.record.rows[0].difference, "changed since the last run");
  EXPECT_TRUE(chunks_to_repair(checksum).empty());
}

TEST(TableValidation, AnEditInPostgresqlIsNamedByTheChecksumAndRepaired) {
  World world;
  world.edit_target("3", "edited by hand");
  const auto found = checksum_verdict(world.mapping, world.source, world.target, world.state);
  ASSERT_STREQ(to_string(found.record.outcome), "mismatch") << found.record.summary;
  ASSERT_EQ(found.record.rows.size(), 1U);
  EXPECT_EQ(found.record.rows[0].key, "id=3");
  EXPECT_EQ(found.record.rows[0].difference, "content differs");
  EXPECT_EQ(found.record.unexplained, 1U);

  std::vector<std::string> told;
  const auto repaired = repair_and_check(
      found, world.mapping, world.source, world.target, world.state, [&](const TableVerdict& v) {
        told.push_back(v.record.summary);
      });
  EXPECT_EQ(told, std::vector<std::string>{found.record.summary});
  EXPECT_TRUE(repaired.record.repaired);
  EXPECT_STREQ(to_string(repaired.record.outcome), "in sync") << repaired.record.summary;
  ASSERT_TRUE(repaired.repair.has_value());
  EXPECT_EQ(repaired.repair->updated, 1U);
  ASSERT_TRUE(repaired.before_repair.has_value());
  EXPECT_STREQ(to_string(repaired.before_repair->outcome), "mismatch");
  // The verdict the repair acted on is stored; the one after is the caller's to store.
  const auto stored = world.state.validations("items", 10, true);
  ASSERT_EQ(stored.size(), 1U);
  EXPECT_STREQ(to_string(stored[0].outcome), "mismatch");
  EXPECT_EQ(world.target_name("3"), "item 3");
}

TEST(TableValidation, ARepairLeavesATableThatIsOkOrCutOverAsItIs) {
  World world;
  int told = 0;
  const auto count = [&](const TableVerdict&) {
    ++told;
  };
  const auto ok = checksum_verdict(world.mapping, world.source, world.target, world.state);
  const auto unchanged =
      repair_and_check(ok, world.mapping, world.source, world.target, world.state, count);
  EXPECT_FALSE(unchanged.record.repaired);
  EXPECT_STREQ(to_string(unchanged.record.outcome), "in sync");

  world.edit_target("1", "the application's now");
  state::CutoverRecord cutover;
  cutover.table = "items";
  cutover.at = "2026-03-02T02:00:00Z";
  cutover.by = "ops@db1";
  cutover.outcome = "done";
  world.state.record_cutover(cutover);
  const auto differs = checksum_verdict(world.mapping, world.source, world.target, world.state);
  ASSERT_STREQ(to_string(differs.record.outcome), "mismatch");
  const auto refused =
      repair_and_check(differs, world.mapping, world.source, world.target, world.state, count);
  EXPECT_STREQ(to_string(refused.record.outcome), "error");
  EXPECT_EQ(refused.result(), "error");
  EXPECT_EQ(refused.record.summary.rfind("error: cut over at 2026-03-02T02:00:00Z by ops@db1; "
                                         "not repaired",
                                         0),
            0U)
      << refused.record.summary;
  EXPECT_EQ(told, 0);
  EXPECT_EQ(world.target_name("1"), "the application's now");
}

TEST(TableValidation, ATableThatCannotBeComparedIsAnErrorNotAnException) {
  World world;
  auto missing = world.mapping;
  missing.target_table = "no_such_table";
  const auto verdict = checksum_verdict(missing, world.source, world.target, world.state);
  EXPECT_STREQ(to_string(verdict.record.outcome), "error");
  EXPECT_EQ(verdict.result(), "error");
  EXPECT_EQ(verdict.record.summary, "error: " + verdict.record.error);
  EXPECT_NE(verdict.record.error.find("does not exist"), std::string::npos) << verdict.record.error;
}

// A first load split into key ranges, as far as it can run without servers: the layout a killed
// split load left is not resumed by a run that cannot open connections of its own (a command
// other than a sync); it is forgotten, and one stream loads every row.
#include "fakes/memory_source.hpp"
#include "fakes/memory_state_store.hpp"
#include "fakes/memory_target.hpp"

#include "migrate/pipeline/run_rules.hpp"
#include "migrate/pipeline/table_sync.hpp"

#include <gtest/gtest.h>

namespace migrate::fakes {
namespace {

SourceColumn column(const std::string& name, const std::string& data_type) {
  SourceColumn c;
  c.name = name;
  c.data_type = c.column_type = data_type;
  c.nullable = name != "id";
  return c;
}

TEST(KeyRangeLoad, AStoredLayoutWithoutConnectionsIsForgottenAndOneStreamLoadsEveryRow) {
  MemorySource source;
  MemoryTarget target;
  MemoryStateStore state;
  source.set_now("2026-03-01 00:00:00.000000");
  std::vector<Row> rows;
  for (int id = 1; id <= 12; ++id) {
    rows.push_back({std::to_string(id), "2026-01-01 00:00:00"});
  }
  source.put_table(
      SourceTable{"items", {column("id", "int"), column("updated_at", "datetime")}, {"id"}, {}},
      rows);
  config::TableMapping mapping;
  mapping.name = mapping.source_table = mapping.target_table = "items";
  mapping.timestamp_column = "updated_at";
  mapping.parallel_ranges = 4;
  // A split load that was stopped on this very target: its rows are there, the table's own
  // position is not, the layout and a range's position are.
  ASSERT_EQ(pipeline::sync_table(mapping, source, target, state, {}).outcome, Outcome::ok);
  const auto target_id = state.position("items")->target_id;
  state.clear_position("items");
  const auto ranges = *pipeline::split_key_range(KeyRange{12, "1", "12"}, 4);
  auto layout = pipeline::ranges_position(ranges, std::string("2026-02-01 00:00:00"));
  layout.target_id = target_id;
  state.save_position(pipeline::ranges_state_name("items"), layout);
  state.save_position(pipeline::range_state_name("items", ranges.ids.front()),
                      state::Position{Pass::initial, "2026-02-01 00:00:00", {"2"}, target_id});

  const auto result = pipeline::sync_table(mapping, source, target, state, {}); // no connect
  ASSERT_EQ(result.outcome, Outcome::ok) << result.error_text();
  EXPECT_EQ(result.counts.rows_read, 12U);
  EXPECT_EQ(target.rows("public", "items").size(), 12U);
  EXPECT_FALSE(state.position(pipeline::ranges_state_name("items")).has_value());
  EXPECT_FALSE(state.position(pipeline::range_state_name("items", ranges.ids.front())));
  EXPECT_EQ(state.position("items")->phase, Pass::incremental);
}

} // namespace
} // namespace migrate::fakes

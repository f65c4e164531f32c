#include "migrate/convert/compare_plan.hpp"
#include "migrate/convert/key_choice.hpp"
#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <functional>

using namespace migrate;
using namespace migrate::convert;
using config::SyncMode;

namespace {

SourceColumn column(const std::string& name, bool nullable, const std::string& type = "int") {
  SourceColumn c;
  c.name = name;
  c.data_type = type;
  c.column_type = type == "set" ? "set('a','b')" : type;
  c.nullable = nullable;
  return c;
}

// a, b, c NOT NULL; n nullable; s a NOT NULL SET.
SourceTable keyless_table(std::vector<SourceIndex> indexes) {
  SourceTable table;
  table.name = "t";
  table.columns = {column("a", false),
                   column("b", false),
                   column("c", false),
                   column("n", true),
                   column("s", false, "set")};
  table.indexes = std::move(indexes);
  return table;
}

config::TableMapping mapping() {
  config::TableMapping m;
  m.source_table = "t";
  m.target_table = "t";
  return m;
}

std::string config_error(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::config);
    EXPECT_EQ(e.context().table, "t");
    return e.what();
  }
  ADD_FAILURE() << "expected a configuration error";
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST(KeyChoice, PrefersTheMappingsPrimaryKey) {
  auto source = keyless_table({{"uq", true, {"a"}}});
  source.primary_key = {"b"};
  auto m = mapping();
  m.primary_key = {"c"};
  const auto key = choose_key(source, m);
  EXPECT_EQ(key.origin, KeyChoice::Origin::mapping);
  EXPECT_EQ(key.columns, std::vector<std::string>{"c"});
}

TEST(KeyChoice, TakesMysqlsPrimaryKeyBeforeAUniqueKey) {
  auto source = keyless_table({{"uq", true, {"a"}}});
  source.primary_key = {"b", "c"};
  const auto key = choose_key(source, mapping());
  EXPECT_EQ(key.origin, KeyChoice::Origin::primary_key);
  EXPECT_EQ(key.columns, (std::vector<std::string>{"b", "c"}));
}

TEST(KeyChoice, PicksTheUniqueNotNullKeyWithFewestColumnsThenByName) {
  const auto source = keyless_table({{"uq_z", true, {"a", "b"}},
                                     {"uq_b", true, {"c"}},
                                     {"uq_a", true, {"b"}},
                                     {"ix_plain", false, {"a"}}});
  const auto key = choose_key(source, mapping());
  EXPECT_EQ(key.origin, KeyChoice::Origin::unique_key);
  EXPECT_EQ(key.index_name, "uq_a");
  EXPECT_EQ(key.columns, std::vector<std::string>{"b"});
  EXPECT_EQ(describe(key), "uq_a (b)");
}

TEST(KeyChoice, IgnoresUniqueKeysOverNullableOrSetColumns) {
  const auto source =
      keyless_table({{"uq_n", true, {"n"}}, {"uq_an", true, {"a", "n"}}, {"uq_s", true, {"s"}}});
  const auto key = choose_key(source, mapping());
  EXPECT_EQ(key.origin, KeyChoice::Origin::none);
  EXPECT_TRUE(key.columns.empty());
}

TEST(KeyChoice, FallsBackToAWiderUsableKey) {
  const auto source = keyless_table({{"uq_n", true, {"n"}}, {"uq_ab", true, {"a", "b"}}});
  const auto key = choose_key(source, mapping());
  EXPECT_EQ(key.index_name, "uq_ab");
  EXPECT_EQ(describe(key), "uq_ab (a, b)");
}

TEST(SyncModeChoice, UpsertsKeyedTablesAndReplacesKeylessOnes) {
  const auto m = mapping();
  EXPECT_EQ(choose_sync_mode(m, KeyChoice{KeyChoice::Origin::primary_key, {"a"}, {}}),
            SyncMode::upsert);
  EXPECT_EQ(choose_sync_mode(m, KeyChoice{}), SyncMode::replace);
}

TEST(SyncModeChoice, HonoursAnExplicitReplaceOnAKeyedTable) {
  auto m = mapping();
  m.sync = SyncMode::replace;
  EXPECT_EQ(choose_sync_mode(m, KeyChoice{KeyChoice::Origin::primary_key, {"a"}, {}}),
            SyncMode::replace);
}

TEST(SyncModeChoice, RefusesUpsertWithoutAKey) {
  auto m = mapping();
  m.sync = SyncMode::upsert;
  const auto message = config_error([&] { choose_sync_mode(m, KeyChoice{}); });
  EXPECT_TRUE(contains(message, "sync: upsert needs a key")) << message;
  EXPECT_TRUE(contains(message, "set primary_key, or sync: replace")) << message;
}

TEST(SyncModeChoice, RefusesAKeylessTableWithATimestampColumnOrKeptDeletes) {
  auto m = mapping();
  m.timestamp_column = "updated_at";
  EXPECT_TRUE(
      contains(config_error([&] { choose_sync_mode(m, KeyChoice{}); }), "timestamp_column"));
  m = mapping();
  m.deletes = config::DeletePolicy::soft;
  EXPECT_TRUE(contains(config_error([&] { choose_sync_mode(m, KeyChoice{}); }), "deletes"));
  m.deletes = config::DeletePolicy::remove;
  EXPECT_EQ(choose_sync_mode(m, KeyChoice{}), SyncMode::replace);
}

TEST(ReplaceSizeGuard, AllowsUpToReplaceMaxRowsAndRefusesMore) {
  auto m = mapping();
  m.replace_max_rows = 100;
  EXPECT_NO_THROW(check_replace_size(m, 0));
  EXPECT_NO_THROW(check_replace_size(m, 100));
  const auto message = config_error([&] { check_replace_size(m, 101); });
  EXPECT_TRUE(contains(message, "101 rows, more than replace_max_rows (100)")) << message;
  EXPECT_TRUE(contains(message, "raise replace_max_rows")) << message;
  EXPECT_TRUE(contains(message, "add a primary key")) << message;
}

TEST(PlanTable, KeylessTableHasNoKeyAndIsComparedWhole) {
  const auto plan = plan_table(keyless_table({{"uq_n", true, {"n"}}}), mapping());
  EXPECT_EQ(plan.sync, SyncMode::replace);
  EXPECT_TRUE(plan.key_positions.empty());
  EXPECT_TRUE(target_table(mapping(), plan).primary_key.empty());
  const auto compare = compare_plan(plan, KeyRange{}, 10000);
  EXPECT_EQ(compare.chunking.kind, Chunking::Kind::whole);
  EXPECT_EQ(compare.columns.size(), 5U);
}

TEST(PlanTable, TableWithAUniqueNotNullKeyUpsertsByIt) {
  const auto plan = plan_table(keyless_table({{"uq_ab", true, {"a", "b"}}}), mapping());
  EXPECT_EQ(plan.sync, SyncMode::upsert);
  EXPECT_EQ(target_table(mapping(), plan).primary_key, (std::vector<std::string>{"a", "b"}));
}

TEST(ChunkDigest, HashSumTellsApartMultisetsThatTheXorCannot) {
  // {x, x, y} and {y, z, z}: equal counts and XORs, different sums.
  const std::uint64_t x = 0xF000000000000001ULL;
  const std::uint64_t y = 7;
  const std::uint64_t z = 0x0F00000000000002ULL;
  ChunkDigest a{"0", 3, x ^ x ^ y, {}, "34587645138205409289"};
  ChunkDigest b{"0", 3, y ^ z ^ z, {}, "2161727821137838091"};
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_FALSE(a.matches(b));
  EXPECT_TRUE(a.matches(a));
}

TEST(ValueClass, IgnoresWhatWideningChangesAndKeepsWhatChangesAValue) {
  EXPECT_EQ(value_class("varchar(120)"), value_class("varchar(200)"));
  EXPECT_EQ(value_class("varchar(120)"), value_class("text"));
  EXPECT_EQ(value_class("integer"), value_class("bigint"));
  EXPECT_EQ(value_class("smallint"), value_class("integer"));
  EXPECT_EQ(value_class("numeric(10,2)"), value_class("numeric(14,2)"));
  EXPECT_NE(value_class("numeric(10,2)"), value_class("numeric(10,3)"));
  EXPECT_NE(value_class("integer"), value_class("numeric(20,0)"));
  EXPECT_NE(value_class("timestamp(3) without time zone"),
            value_class("timestamp(6) without time zone"));
  EXPECT_EQ(value_class("jsonb"), "jsonb");
}

TEST(ChunkSlice, RangeSlicesAreConsecutiveChunksCoveringEveryKeyOnce) {
  ComparePlan plan;
  plan.chunking = Chunking{Chunking::Kind::range, "10"};
  const KeyRange range{100, "-25", "74"}; // chunks -2 .. 7 (DIV truncates toward zero): ten
  EXPECT_TRUE(in_slice(plan, "12"));      // one slice: every chunk
  for (const char* id : {"-9", "-2", "0", "4", "7", "30"}) {
    int found = 0;
    for (std::size_t slice = 0; slice < 4; ++slice) {
      set_slice(plan, range, 4, slice);
      found += in_slice(plan, id) ? 1 : 0;
    }
    EXPECT_EQ(found, 1) << id; // keys beyond the range fall in the first or the last slice
  }
  set_slice(plan, range, 4, 1);
  EXPECT_EQ(plan.slice_first, "0"); // -2 + 10 * 1 / 4
  EXPECT_EQ(plan.slice_last, "2");  // -2 + 10 * 2 / 4 - 1
  EXPECT_EQ(slice_sql(plan, "id", "c"), "(id > -10 AND id < 30)");
  set_slice(plan, range, 4, 0);
  EXPECT_EQ(slice_sql(plan, "id", "c"), "(id <= -10)");
  set_slice(plan, range, 4, 3);
  EXPECT_EQ(slice_sql(plan, "id", "c"), "(id >= 50)");
}

TEST(ChunkSlice, HashBucketsAreSlicedByTheirNumber) {
  ComparePlan plan;
  plan.chunking = Chunking{Chunking::Kind::hash, "8"};
  set_slice(plan, KeyRange{}, 3, 2);
  EXPECT_TRUE(in_slice(plan, "5"));
  EXPECT_FALSE(in_slice(plan, "6"));
  EXPECT_EQ(slice_sql(plan, "k", "b"), "MOD(b, 3) = 2");
}

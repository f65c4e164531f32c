// What every Source and Target must do for the pipeline, as typed test cases. Instantiated for
// the in-memory fakes (tests/unit/test_contract_adapters.cpp) and for MariaDB and PostgreSQL
// (tests/integration/test_contract_adapters.cpp), so the fakes the unit tests rely on behave as
// the real adapters do.
//
// Env: a ::testing::Test providing
//   source::Source& source();  void create_source(const SourceSpec&);
//   void source_exec(const SourceChange&);   // an insert, update or delete in MySQL
//   target::Target& target();  std::string schema();
//   std::vector<TargetRow> target_rows(const std::string& table, const std::vector<std::string>&
//   columns);   // each value as PostgreSQL prints it, ordered by the first column
//   void update_by_hand(table, id, column, value); void insert_by_hand(table, id, name);
//               // changes made in the target by something other than migrate
#pragma once

#include "fakes/memory_state_store.hpp"

#include "migrate/convert/compare_plan.hpp"
#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/copy_text.hpp"
#include "migrate/convert/row_digest.hpp"
#include "migrate/convert/row_seal.hpp"
#include "migrate/convert/table_plan.hpp"
#include "migrate/core/error.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/source/source.hpp"
#include "migrate/target/target.hpp"
#include "migrate/validate/digest_sample.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace migrate::contract {

using Value = std::optional<std::string>;
using TargetRow = std::vector<Value>;

struct ColumnSpec {
  std::string name;
  std::string mysql_type; // as in CREATE TABLE: "INT", "VARCHAR(20)", "DATETIME"
  std::string data_type;  // information_schema DATA_TYPE: "int", "varchar", "datetime"
  bool nullable = true;
};

struct SourceSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
  std::vector<std::string> primary_key;
  std::vector<std::vector<Value>> rows;
};

// What a source table has beyond its columns and key: the column MySQL numbers with
// AUTO_INCREMENT, and its foreign keys.
struct SourceKeys {
  std::string auto_increment;
  std::vector<SourceForeignKey> foreign_keys;
};

// id INT key, name VARCHAR(20), updated_at DATETIME: the shape most cases use.
inline SourceSpec items(std::vector<std::vector<Value>> rows) {
  return SourceSpec{"items",
                    {{"id", "INT", "int", false},
                     {"name", "VARCHAR(20)", "varchar", true},
                     {"updated_at", "DATETIME", "datetime", true}},
                    {"id"},
                    std::move(rows)};
}

struct SourceChange {
  enum class Kind { upsert, erase } kind = Kind::upsert;
  std::string table;
  std::vector<Value> row; // upsert: every column; erase: the key
};

inline std::vector<std::string> read_keys(source::Source& source, const source::ReadRequest& read) {
  std::vector<std::string> keys;
  auto reader = source.read(read);
  RowView row;
  while (reader->next(row)) {
    keys.emplace_back(row.at(0));
  }
  return keys;
}

inline source::ReadRequest items_request(source::Source& source, source::ReadOrder order) {
  const auto shape = source.describe("items");
  source::ReadRequest read;
  read.table = "items";
  read.columns = shape.columns;
  read.key = {shape.columns[0]};
  read.timestamp = shape.columns[2];
  read.order = order;
  return read;
}

template<typename Env>
class SourceContract : public Env {};
TYPED_TEST_SUITE_P(SourceContract);

TYPED_TEST_P(SourceContract, DescribesColumnsAndKeyAndRefusesAMissingTable) {
  this->create_source(items({}));
  const auto shape = this->source().describe("items");
  ASSERT_EQ(shape.columns.size(), 3U);
  EXPECT_EQ(shape.columns[0].name, "id");
  EXPECT_EQ(shape.columns[1].data_type, "varchar");
  EXPECT_EQ(shape.columns[2].data_type, "datetime");
  EXPECT_FALSE(shape.columns[0].nullable);
  EXPECT_TRUE(shape.columns[1].nullable);
  EXPECT_EQ(shape.primary_key, std::vector<std::string>{"id"});
  try {
    this->source().describe("no_such_table");
    FAIL() << "describe of a missing table returned";
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::source);
  }
}

TYPED_TEST_P(SourceContract, ListsTheTablesOfTheDatabase) {
  this->create_source(items({}));
  const auto names = this->source().table_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "items"), names.end());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TYPED_TEST_P(SourceContract, ReadsInKeyOrderAfterAKey) {
  this->create_source(items({{"2", "b", "2026-01-01 00:00:00"},
                             {"10", "j", "2026-01-01 00:00:00"},
                             {"9", "i", std::nullopt},
                             {"1", std::nullopt, "2026-01-01 00:00:00"}}));
  auto read = items_request(this->source(), source::ReadOrder::by_key);
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"1", "2", "9", "10"}));
  read.after_key = {"2"};
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"9", "10"}));
  // Values come as the text protocol sends them; NULL as a null pointer.
  auto reader = this->source().read(read);
  RowView row;
  ASSERT_TRUE(reader->next(row));
  EXPECT_EQ(row.at(1), "i");
  EXPECT_TRUE(row.is_null(2));
}

TYPED_TEST_P(SourceContract, ReadsInTimestampOrderBetweenThePositionAndTheBound) {
  this->create_source(items({{"1", "a", "2026-01-01 00:00:02"},
                             {"2", "b", "2026-01-01 00:00:01"},
                             {"3", "c", "2026-01-01 00:00:02"},
                             {"4", "d", std::nullopt},
                             {"5", "e", "2026-01-01 00:00:03"}}));
  auto read = items_request(this->source(), source::ReadOrder::by_timestamp_then_key);
  read.after_timestamp = "2026-01-01 00:00:01";
  read.until_timestamp = "2026-01-01 00:00:02";
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"1", "3"}));
  read.after_timestamp = "2026-01-01 00:00:02";
  read.after_key = {"1"};
  read.until_timestamp = "2026-01-01 00:00:03";
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"3", "5"}));
  read.after_timestamp = "2026-01-01 00:00:00";
  read.after_key.clear();
  read.until_timestamp = "2026-01-01 00:00:02";
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"2", "1", "3"}));
}

TYPED_TEST_P(SourceContract, CountsRowsAndMeasuresTheKeyRange) {
  this->create_source(items({{"7", "a", std::nullopt},
                             {"30", "b", "2026-01-01 00:00:00"},
                             {"12", "c", "2026-01-01 00:00:00"},
                             {"4", "d", "0000-00-00 00:00:00"}}));
  auto read = items_request(this->source(), source::ReadOrder::by_key);
  EXPECT_EQ(this->source().count_rows(read), 4U);
  read.only_null_or_zero_timestamp = true;
  EXPECT_EQ(this->source().count_rows(read), 2U);
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"4", "7"}));
  read = items_request(this->source(), source::ReadOrder::by_timestamp_then_key);
  read.after_timestamp = "2025-12-31 00:00:00";
  EXPECT_EQ(this->source().count_rows(read), 2U);
  // A cursor standing on the zero date: MySQL 8.0+ compares with it only outside NO_ZERO_DATE.
  read.after_timestamp = "0000-00-00 00:00:00";
  read.after_key = {"4"};
  EXPECT_EQ(this->source().count_rows(read), 2U);
  const auto range = this->source().key_range("items", "id", "");
  EXPECT_EQ(range.rows, 4U);
  EXPECT_EQ(range.min, "4");
  EXPECT_EQ(range.max, "30");
  this->create_source(SourceSpec{"empty", {{"id", "INT", "int", false}}, {"id"}, {}});
  EXPECT_EQ(this->source().key_range("empty", "id", "").rows, 0U);
}

TYPED_TEST_P(SourceContract, ReadsOneRangeChunk) {
  this->create_source(items({{"1", "a", std::nullopt},
                             {"2", "b", std::nullopt},
                             {"3", "c", std::nullopt},
                             {"4", "d", std::nullopt}}));
  ComparePlan plan;
  plan.key.source_name = plan.key.target_name = "id";
  plan.chunking = Chunking{Chunking::Kind::range, "2"};
  auto read = items_request(this->source(), source::ReadOrder::by_key);
  read.chunk = ChunkFilter{&plan, "1"};
  EXPECT_EQ(read_keys(this->source(), read), (std::vector<std::string>{"2", "3"}));
}

TYPED_TEST_P(SourceContract, ReportsTheAutoIncrementCounterAndTheForeignKeys) {
  this->create_source(SourceSpec{"owners", {{"id", "INT", "int", false}}, {"id"}, {{"1"}, {"5"}}},
                      SourceKeys{"id", {}});
  this->create_source(
      SourceSpec{"pets",
                 {{"id", "INT", "int", false}, {"owner_id", "INT", "int", true}},
                 {"id"},
                 {{"1", "5"}}},
      SourceKeys{"", {{"fk_pets_owner", {"owner_id"}, "owners", {"id"}, "CASCADE", "SET NULL"}}});
  const auto counter = this->source().auto_increment("owners");
  ASSERT_TRUE(counter.has_value());
  EXPECT_EQ(counter->column, "id");
  EXPECT_EQ(counter->next, std::optional<std::uint64_t>(6)); // past the rows inserted with ids
  EXPECT_FALSE(this->source().auto_increment("pets").has_value());
  const auto keys = this->source().foreign_keys("pets");
  ASSERT_EQ(keys.size(), 1U);
  EXPECT_EQ(keys[0].name, "fk_pets_owner");
  EXPECT_EQ(keys[0].columns, std::vector<std::string>{"owner_id"});
  EXPECT_EQ(keys[0].referenced_table, "owners");
  EXPECT_EQ(keys[0].referenced_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(keys[0].on_delete, "CASCADE");
  EXPECT_EQ(keys[0].on_update, "SET NULL");
  EXPECT_TRUE(this->source().foreign_keys("owners").empty());
}

// A table whose values enter the row digest each way (as sent, sized, hashed), with separators,
// 'N', empty strings, non-ASCII text and NULLs among them; and the source digest's plan of it.
template<typename Fixture>
ComparePlan create_digested(Fixture& fixture) {
  fixture.create_source(SourceSpec{"digested",
                                   {{"id", "INT", "int", false},
                                    {"label", "VARCHAR(20)", "varchar", true},
                                    {"code", "VARBINARY(8)", "varbinary", true},
                                    {"body", "TEXT", "text", true},
                                    {"amount", "DECIMAL(6,2)", "decimal", true}},
                                   {"id"},
                                   {{"1", "a|b", "x|y", "N", "1.50"},
                                    {"2", "N", std::nullopt, "", "-2.00"},
                                    {"3", "", "", std::nullopt, std::nullopt},
                                    {"4", "Z\xc3\xbcrich", "2:", "a|b|c", "0.00"},
                                    {"5", "a", "|b", "Z\xc3\xbcrich", "0.00"}}});
  const auto shape = fixture.source().describe("digested");
  ComparePlan plan;
  for (const auto& column : shape.columns) {
    HashColumn hashed;
    hashed.source_name = hashed.target_name = column.name;
    hashed.source_text = convert::source_text(column);
    hashed.source_data_type = column.data_type;
    plan.columns.push_back(hashed);
  }
  plan.key = plan.columns[0];
  plan.key.kind = HashKind::integer;
  plan.key_columns = {plan.key};
  plan.chunking = Chunking{Chunking::Kind::range, "1000"};
  plan.digest_column = k_digest_column;
  plan.digest_fingerprint = "0123456789abcdef";
  return plan;
}

// The row digest MySQL computes in SQL for a comparison is the one the load computed from the
// values it read.
TYPED_TEST_P(SourceContract, DigestsInSqlWhatTheLoadDigestsFromTheRowsItRead) {
  const auto plan = create_digested(*this);
  const auto shape = this->source().describe("digested");
  source::ReadRequest read;
  read.table = "digested";
  read.columns = shape.columns;
  read.key = {shape.columns[0]};
  read.order = source::ReadOrder::by_key;
  auto reader = this->source().read(read);
  convert::RowDigester digester(plan.columns, plan.digest_fingerprint);
  std::map<std::string, std::uint64_t> loaded;
  RowView row;
  while (reader->next(row)) {
    loaded[std::string(row.at(0))] = static_cast<std::uint64_t>(digester.digest(row));
  }
  std::map<std::string, std::uint64_t> compared;
  for (const auto& digest : this->source().row_digests("digested", ChunkFilter{&plan, "0"})) {
    compared[digest.key.at(0).value_or("NULL")] = digest.hash.value_or(0);
  }
  ASSERT_EQ(loaded.size(), 5U);
  EXPECT_EQ(compared, loaded);
}

// `migrate check --sample`'s rows: the values as a read sends them, and each column's part of the
// row digest as the server's SQL writes it, pinned to the texts the client writes.
TYPED_TEST_P(SourceContract, SamplesEachColumnsPartOfTheRowDigest) {
  const auto plan = create_digested(*this);
  auto samples = this->source().digest_samples("digested", ChunkFilter{&plan, "0"}, 10);
  ASSERT_EQ(samples.size(), 5U);
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
    return a.values.at(0) < b.values.at(0);
  });
  const auto& first = samples[0];
  EXPECT_EQ(first.values,
            (std::vector<std::optional<std::string>>{"1", "a|b", "x|y", "N", "1.50"}));
  // sha256("N") in hex.
  EXPECT_EQ(
      first.parts,
      (std::vector<std::string>{"1",
                                "3:a|b",
                                "3:x|y",
                                "8ce86a6ae65d3692e7305e2c58ac62eebd97d3d943e093f577da25c36988246b",
                                "1.50"}));
  EXPECT_EQ(samples[2].parts.at(4), "N"); // NULL
  EXPECT_EQ(samples[2].parts.at(1), "0:");
  EXPECT_EQ(samples[3].parts.at(1), "7:Z\xc3\xbcrich"); // bytes, not characters
  EXPECT_TRUE(validate::compare_samples(plan, samples).empty());
  EXPECT_EQ(this->source().digest_samples("digested", ChunkFilter{&plan, "0"}, 2).size(), 2U);
}

REGISTER_TYPED_TEST_SUITE_P(SourceContract,
                            DigestsInSqlWhatTheLoadDigestsFromTheRowsItRead,
                            SamplesEachColumnsPartOfTheRowDigest,
                            ReportsTheAutoIncrementCounterAndTheForeignKeys,
                            DescribesColumnsAndKeyAndRefusesAMissingTable,
                            ListsTheTablesOfTheDatabase,
                            ReadsInKeyOrderAfterAKey,
                            ReadsInTimestampOrderBetweenThePositionAndTheBound,
                            CountsRowsAndMeasuresTheKeyRange,
                            ReadsOneRangeChunk);

// id integer key, name text, and the row digest column, in the test's schema.
inline TargetTable people(const std::string& schema, std::string soft_delete_column = {}) {
  TargetTable table{schema,
                    "people",
                    {TargetColumn{"id", "integer", true, {}, false},
                     TargetColumn{"name", "text", false, {}, false},
                     TargetColumn{k_digest_column, "bigint", false, {}, false}},
                    {"id"},
                    std::move(soft_delete_column),
                    {}};
  return table;
}

inline target::MergeCounts load(target::Target& target,
                                const TargetTable& table,
                                target::LoadMode mode,
                                const std::string& lines,
                                const target::Reconcile* reconcile = nullptr) {
  auto session = target.begin_load(table, mode);
  session->write(lines, static_cast<std::size_t>(std::count(lines.begin(), lines.end(), '\n')));
  return session->commit(reconcile);
}

struct PersonRow {
  int id;
  std::optional<std::string> name;
  std::int64_t digest;
};

// people() rows as RowEncoder writes them in `format`.
inline std::string people_rows(CopyFormat format, const std::vector<PersonRow>& rows) {
  std::string out;
  for (const auto& row : rows) {
    if (format == CopyFormat::text) {
      out += std::to_string(row.id) + "\t";
      if (row.name) {
        convert::append_copy_escaped(out, *row.name);
      } else {
        out += convert::k_copy_null;
      }
      out += "\t" + std::to_string(row.digest) + "\n";
      continue;
    }
    convert::append_binary_row(3, out);
    convert::append_binary_value(convert::BinaryType::int4, std::to_string(row.id), out);
    if (row.name) {
      convert::append_binary_bytes(*row.name, out);
    } else {
      convert::append_binary_null(out);
    }
    convert::append_binary_int8(row.digest, out);
  }
  return out;
}

// people() rows in `format`, each ending with its seal after the digest when `sealed` (binary
// only), as RowEncoder writes a first load the client seals.
inline std::string people_rows(CopyFormat format, const std::vector<PersonRow>& rows, bool sealed) {
  if (!sealed) {
    return people_rows(format, rows);
  }
  const std::vector<convert::SealKind> kinds{convert::SealKind::int4, convert::SealKind::bytes};
  std::string out;
  for (const auto& row : rows) {
    std::string one = people_rows(format, {row});
    one[1] = 4; // the field count's low byte: one more field
    const auto seal = convert::seal_of_row(kinds, one);
    convert::append_binary_int8(seal, one);
    out += one;
  }
  return out;
}

template<typename Env>
class TargetContract : public Env {};
TYPED_TEST_SUITE_P(TargetContract);

// Binary rows where the table's types are exactly those binary rows are written for (PostgreSQL,
// binary_copy()), text elsewhere; chosen once per session, for the staging table as for the target.
TYPED_TEST_P(TargetContract, LoadsRowsInTheFormatItChoseOnceForTheSession) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  auto session = target.begin_load(table, target::LoadMode::direct);
  const auto format = session->choose_format(CopyFormat::binary);
  EXPECT_EQ(format, this->binary_copy() ? CopyFormat::binary : CopyFormat::text);
  EXPECT_EQ(session->choose_format(CopyFormat::text), format);
  session->write(people_rows(format, {{1, "ann", 11}, {2, std::nullopt, -22}}), 2);
  EXPECT_EQ(session->commit().inserted, 2U);
  target.build_keys(table);

  session = target.begin_load(table, target::LoadMode::upsert);
  EXPECT_EQ(session->choose_format(CopyFormat::binary), format);
  session->write(people_rows(format, {{1, "anne", 12}, {3, "tab\there", 33}}), 2);
  const auto counts = session->commit();
  EXPECT_EQ(counts.inserted, 1U);
  EXPECT_EQ(counts.updated, 1U);
  EXPECT_EQ(this->target_rows("people", {"id", "name", k_digest_column}),
            (std::vector<TargetRow>{
                {"1", "anne", "12"}, {"2", std::nullopt, "-22"}, {"3", "tab\there", "33"}}));

  // A column of another type than the mapping's (changed by hand): binary would misread it.
  auto widened = table;
  widened.columns[0].pg_type = "bigint";
  EXPECT_EQ(target.begin_load(widened, target::LoadMode::upsert)->choose_format(CopyFormat::binary),
            CopyFormat::text);
  EXPECT_EQ(target.begin_load(table, target::LoadMode::upsert)->choose_format(CopyFormat::text),
            CopyFormat::text);
}

// Where the target lets the client seal a first load (PostgreSQL, for types it stores exactly as
// sent), the rows carry their seal, and the target's own check of each seal agrees with it: no row
// counts as changed by something else.
TYPED_TEST_P(TargetContract, AFirstLoadTheClientSealsHoldsSealsTheTargetAgreesWith) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  EXPECT_FALSE(target.prepare_first_load(table, false));
  const bool client = target.prepare_first_load(table, true);
  EXPECT_EQ(client, this->binary_copy());
  auto session = target.begin_load(table, target::LoadMode::direct);
  const auto format = session->choose_format(CopyFormat::binary);
  EXPECT_EQ(session->rows_carry_seal(), client);
  session->write(
      people_rows(format, {{1, "ann", 11}, {2, std::nullopt, -22}, {3, "Zürich", 33}}, client), 3);
  EXPECT_EQ(session->commit().inserted, 3U);
  target.build_keys(table);

  ComparePlan plan;
  plan.key.source_name = plan.key.target_name = "id";
  plan.chunking = Chunking{Chunking::Kind::whole, "1"};
  plan.digest_column = k_digest_column;
  const auto digests = target.chunk_digests(table, plan);
  ASSERT_EQ(digests.size(), 1U);
  EXPECT_EQ(digests[0].rows, 3U);
  EXPECT_EQ(digests[0].rows_unsealed, 0U);

  // A merge after the first load seals as before: its rows carry none.
  session = target.begin_load(table, target::LoadMode::upsert);
  session->choose_format(CopyFormat::binary);
  EXPECT_FALSE(session->rows_carry_seal());
}

TYPED_TEST_P(TargetContract, CreatesDescribesKeysAndDropsATable) {
  auto& target = this->target();
  const auto table = people(this->schema());
  EXPECT_FALSE(target.describe(table.schema, table.name).has_value());
  target.create_table(table);
  auto described = target.describe(table.schema, table.name);
  ASSERT_TRUE(described.has_value());
  ASSERT_EQ(described->columns.size(), 4U);
  EXPECT_EQ(described->columns[0].name, "id");
  EXPECT_EQ(described->columns[2].name, k_digest_column);
  EXPECT_EQ(described->columns[3].name, k_seal_column); // made by the target itself
  EXPECT_TRUE(described->columns[0].not_null);
  EXPECT_TRUE(described->primary_key.empty()); // keys come after the first load
  EXPECT_TRUE(target.is_empty(table));
  target.build_keys(table);
  EXPECT_EQ(target.describe(table.schema, table.name)->primary_key, std::vector<std::string>{"id"});
  const auto first = target.identity(table);
  target.drop_table(table);
  EXPECT_FALSE(target.describe(table.schema, table.name).has_value());
  target.create_table(table);
  EXPECT_NE(target.identity(table), first); // a position taken on the old table is void
}

TYPED_TEST_P(TargetContract, AltersATableWithItsRowsInPlace) {
  auto& target = this->target();
  auto table = people(this->schema());
  table.columns[0].pg_type = "integer";
  table.columns.insert(table.columns.begin() + 2,
                       TargetColumn{"size", "text", false, {"S", "M"}, false});
  target.create_table(table);
  load(target, table, target::LoadMode::direct, "1\tann\tS\t11\n");
  target.build_keys(table);
  const TargetColumn wide{"id", "bigint", true, {}, false};
  const TargetColumn added{"city", "text", true, {}, false};
  const TargetColumn sizes{"size", "text", false, {"S", "M", "L"}, false};
  target.alter_table(table,
                     {SchemaChange{SchemaChange::Kind::widen_type, wide, "integer", {}},
                      SchemaChange{SchemaChange::Kind::add_column, added, {}, {}},
                      SchemaChange{SchemaChange::Kind::add_enum_label, sizes, {}, "L"}});
  const auto described = target.describe(table.schema, table.name);
  ASSERT_TRUE(described.has_value());
  ASSERT_EQ(described->columns.size(), 6U); // the seal before the added column
  EXPECT_EQ(described->columns[0].pg_type, "bigint");
  EXPECT_EQ(described->columns[5].name, "city");
  EXPECT_FALSE(described->columns[5].not_null); // filled by the re-read that follows
  EXPECT_EQ(described->columns[2].allowed_values, (std::vector<std::string>{"S", "M", "L"}));
  EXPECT_EQ(target.count_rows(table), 1U);
  // A change that fails leaves the others undone.
  EXPECT_THROW(target.alter_table(table,
                                  {SchemaChange{SchemaChange::Kind::add_column,
                                                TargetColumn{"zip", "text", false, {}, false},
                                                {},
                                                {}},
                                   SchemaChange{SchemaChange::Kind::widen_type,
                                                TargetColumn{"missing", "text", false, {}, false},
                                                "integer",
                                                {}}}),
               Error);
  EXPECT_EQ(target.describe(table.schema, table.name)->columns.size(), 6U);
}

TYPED_TEST_P(TargetContract, MergesByKeyAndCountsWhatChanged) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  auto counts = load(target, table, target::LoadMode::direct, "1\tann\t11\n2\tbob\t22\n");
  EXPECT_EQ(counts.inserted, 2U);
  target.build_keys(table);
  counts = load(target, table, target::LoadMode::upsert, "1\tanne\t12\n2\tbob\t22\n3\t\\N\t33\n");
  EXPECT_EQ(counts.inserted, 1U);
  EXPECT_EQ(counts.updated, 1U);
  EXPECT_EQ(counts.unchanged, 1U);
  EXPECT_EQ(target.count_rows(table), 3U);
  EXPECT_EQ(target.count_null(table, "name"), 1U);
  EXPECT_EQ(
      this->target_rows("people", {"id", "name", k_digest_column}),
      (std::vector<TargetRow>{{"1", "anne", "12"}, {"2", "bob", "22"}, {"3", std::nullopt, "33"}}));
}

TYPED_TEST_P(TargetContract, AFailedCommitChangesNothing) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  load(target, table, target::LoadMode::direct, "1\tann\t11\n");
  target.build_keys(table);
  // The same key twice in one group: PostgreSQL refuses the whole merge.
  try {
    load(target, table, target::LoadMode::upsert, "2\tbob\t22\n2\tbobby\t23\n1\tx\t1\n");
    FAIL() << "the merge of a duplicate key succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::target);
  }
  EXPECT_EQ(this->target_rows("people", {"id", "name"}), (std::vector<TargetRow>{{"1", "ann"}}));
}

TYPED_TEST_P(TargetContract, AReconcileDeletesOrMarksWhatTheChunkNoLongerHas) {
  auto& target = this->target();
  for (const std::string soft : {"", "deleted_at"}) {
    const auto table = people(this->schema(), soft);
    target.create_table(table);
    load(target, table, target::LoadMode::direct, "1\ta\t1\n2\tb\t2\n3\tc\t3\n12\tl\t12\n");
    target.build_keys(table);
    ComparePlan plan;
    plan.key.source_name = plan.key.target_name = "id";
    plan.chunking = Chunking{Chunking::Kind::range, "10"};
    const target::Reconcile reconcile{ChunkFilter{&plan, "0"}, !soft.empty()};
    const auto counts =
        load(target, table, target::LoadMode::upsert, "1\ta\t1\n3\tc\t3\n", &reconcile);
    EXPECT_EQ(counts.deleted, 1U) << "soft=" << soft;
    EXPECT_EQ(counts.unchanged, 2U);
    EXPECT_EQ(target.count_rows(table), 3U) << "soft=" << soft; // 12 is in another chunk
    if (!soft.empty()) {
      EXPECT_EQ(this->target_rows("people", {"id"}).size(), 4U);  // marked, not deleted
      load(target, table, target::LoadMode::upsert, "2\tb\t2\n"); // the row is back
      EXPECT_EQ(target.count_rows(table), 4U);
    }
    target.drop_table(table);
  }
}

TYPED_TEST_P(TargetContract, AReplacementChecksTheStagedCount) {
  auto& target = this->target();
  TargetTable table = people(this->schema());
  table.primary_key.clear(); // a keyless table: duplicates allowed
  target.create_table(table);
  load(target, table, target::LoadMode::direct, "1\ta\t1\n1\ta\t1\n");
  auto session = target.begin_load(table, target::LoadMode::replace);
  session->write("2\tb\t2\n", 1);
  EXPECT_THROW(session->replace(2), Error);
  EXPECT_EQ(target.count_rows(table), 2U);
  session = target.begin_load(table, target::LoadMode::replace);
  session->write("2\tb\t2\n3\tc\t3\n", 2);
  const auto counts = session->replace(2);
  EXPECT_EQ(counts.inserted, 2U);
  EXPECT_EQ(counts.deleted, 2U);
  EXPECT_EQ(this->target_rows("people", {"id", "name"}),
            (std::vector<TargetRow>{{"2", "b"}, {"3", "c"}}));
}

TYPED_TEST_P(TargetContract, DigestsChunksFromTheStoredRowDigests) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  load(target, table, target::LoadMode::direct, "1\ta\t5\n2\tb\t-3\n11\tk\t\\N\n");
  ComparePlan plan;
  plan.key.source_name = plan.key.target_name = "id";
  plan.chunking = Chunking{Chunking::Kind::range, "10"};
  plan.digest_column = k_digest_column;
  auto digests = target.chunk_digests(table, plan);
  std::sort(
      digests.begin(), digests.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  ASSERT_EQ(digests.size(), 2U);
  EXPECT_EQ(digests[0].id, "0");
  EXPECT_EQ(digests[0].rows, 2U);
  EXPECT_EQ(digests[0].hash, 5U ^ static_cast<std::uint64_t>(-3));
  EXPECT_EQ(digests[0].rows_unsealed, 0U);
  EXPECT_EQ(digests[1].rows_unsealed, 1U); // a row loaded without a digest
  plan.chunking = Chunking{Chunking::Kind::whole, "1"};
  digests = target.chunk_digests(table, plan);
  ASSERT_EQ(digests.size(), 1U);
  // -3 read unsigned is 2^64 - 3: the exact sum of the row digests.
  EXPECT_EQ(digests[0].hash_sum, "18446744073709551618");
}

// A row changed or inserted by anything but migrate breaks its seal: its digest is left out and its
// chunk differs, whatever column changed; a merge of MySQL's row mends it.
TYPED_TEST_P(TargetContract, AChangeMadeByHandBreaksTheRowsSealAndAMergeMendsIt) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  load(target, table, target::LoadMode::direct, "1\tann\t11\n2\tbob\t22\n");
  target.build_keys(table);
  ComparePlan plan;
  plan.key.source_name = plan.key.target_name = "id";
  plan.key_columns = {plan.key};
  plan.chunking = Chunking{Chunking::Kind::range, "10"};
  plan.digest_column = k_digest_column;
  auto digests = target.chunk_digests(table, plan);
  ASSERT_EQ(digests.size(), 1U);
  EXPECT_EQ(digests[0].rows_unsealed, 0U);
  EXPECT_EQ(digests[0].hash, 11U ^ 22U);

  this->update_by_hand("people", "2", "name", "robert");
  this->insert_by_hand("people", "3", "eve");
  digests = target.chunk_digests(table, plan);
  ASSERT_EQ(digests.size(), 1U);
  EXPECT_EQ(digests[0].rows, 3U);
  EXPECT_EQ(digests[0].rows_unsealed, 2U);
  EXPECT_EQ(digests[0].hash, 11U);
  auto rows = target.row_digests(table, ChunkFilter{&plan, "0"});
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].hash, std::optional<std::uint64_t>(11U));
  EXPECT_FALSE(rows[1].hash.has_value()); // changed by hand
  EXPECT_TRUE(rows[1].written_by_migrate);
  EXPECT_FALSE(rows[2].hash.has_value()); // inserted by hand
  EXPECT_FALSE(rows[2].written_by_migrate);

  const auto counts = load(target, table, target::LoadMode::upsert, "2\tbob\t22\n");
  EXPECT_EQ(counts.updated, 1U); // the same digest as stored: the broken seal makes it a write
  digests = target.chunk_digests(table, plan);
  EXPECT_EQ(digests[0].rows_unsealed, 1U); // only the row inserted by hand
  EXPECT_EQ(this->target_rows("people", {"id", "name"}),
            (std::vector<TargetRow>{{"1", "ann"}, {"2", "bob"}, {"3", "eve"}}));
}

// The cutover's final sync: a row changed by hand keeps its edit (the checksum names it), the
// others are merged as usual.
TYPED_TEST_P(TargetContract, AMergeKeepingEditsLeavesARowChangedByHand) {
  auto& target = this->target();
  const auto table = people(this->schema());
  target.create_table(table);
  load(target, table, target::LoadMode::direct, "1\tann\t11\n2\tbob\t22\n");
  target.build_keys(table);
  this->update_by_hand("people", "2", "name", "edited");
  const auto counts =
      load(target, table, target::LoadMode::upsert_keeping_edits, "1\tanna\t12\n2\tbobby\t23\n");
  EXPECT_EQ(counts.updated, 1U);
  EXPECT_EQ(this->target_rows("people", {"id", "name"}),
            (std::vector<TargetRow>{{"1", "anna"}, {"2", "edited"}}));
}

// What the cutover reads before it plans: no identity or sequence yet, the highest key, no
// foreign key; and the rows a foreign key would refuse, by key.
TYPED_TEST_P(TargetContract, ReadsTheCatalogAndFindsTheRowsBreakingAForeignKey) {
  auto& target = this->target();
  const auto owners = people(this->schema());
  target.create_table(owners);
  load(target, owners, target::LoadMode::direct, "1\tann\t11\n3\tbob\t22\n");
  target.build_keys(owners);
  const auto catalog = target.catalog(owners, "id");
  EXPECT_FALSE(catalog.identity);
  EXPECT_TRUE(catalog.sequence.empty());
  EXPECT_TRUE(catalog.column_default.empty());
  EXPECT_EQ(catalog.max_value, std::optional<std::int64_t>(3));
  EXPECT_TRUE(catalog.indexes.empty()); // the primary key is not listed
  EXPECT_TRUE(catalog.triggers.empty());
  ASSERT_NE(catalog.column("id"), nullptr);
  EXPECT_TRUE(catalog.column("id")->not_null);
  EXPECT_FALSE(catalog.column("id")->has_default);
  ASSERT_NE(catalog.column("name"), nullptr);
  EXPECT_EQ(catalog.column("name")->not_null, owners.columns[1].not_null);
  for (const auto& constraint : catalog.constraints) {
    EXPECT_FALSE(constraint.foreign_key) << constraint.name;
  }
  TargetTable pets{this->schema(),
                   "pets",
                   {TargetColumn{"id", "integer", true, {}, false},
                    TargetColumn{"owner_id", "integer", false, {}, false},
                    TargetColumn{k_digest_column, "bigint", false, {}, false}},
                   {"id"},
                   {},
                   {}};
  target.create_table(pets);
  load(target, pets, target::LoadMode::direct, "1\t1\t0\n2\t9\t0\n3\t\\N\t0\n");
  const TargetForeignKey key{"fk_pets_owner",
                             this->schema(),
                             "pets",
                             {"owner_id"},
                             this->schema(),
                             "people",
                             {"id"},
                             "RESTRICT",
                             "RESTRICT"};
  EXPECT_EQ(target.orphan_keys(key, 10), std::vector<std::string>{"owner_id=9"});
  EXPECT_FALSE(target.catalog(pets, "").max_value.has_value()); // no serial column asked about
}

REGISTER_TYPED_TEST_SUITE_P(TargetContract,
                            LoadsRowsInTheFormatItChoseOnceForTheSession,
                            AFirstLoadTheClientSealsHoldsSealsTheTargetAgreesWith,
                            AMergeKeepingEditsLeavesARowChangedByHand,
                            AChangeMadeByHandBreaksTheRowsSealAndAMergeMendsIt,
                            ReadsTheCatalogAndFindsTheRowsBreakingAForeignKey,
                            CreatesDescribesKeysAndDropsATable,
                            AltersATableWithItsRowsInPlace,
                            MergesByKeyAndCountsWhatChanged,
                            AFailedCommitChangesNothing,
                            AReconcileDeletesOrMarksWhatTheChunkNoLongerHas,
                            AReplacementChecksTheStagedCount,
                            DigestsChunksFromTheStoredRowDigests);

// Source and target together through the pipeline: the digests MySQL computes of its rows must
// equal those the load stored, or every comparison would find differences that are not there.
template<typename Env>
class PipelineContract : public Env {};
TYPED_TEST_SUITE_P(PipelineContract);

TYPED_TEST_P(PipelineContract, ALoadedTableComparesEqualAndADeleteIsFound) {
  this->create_source(
      SourceSpec{"tags",
                 {{"id", "INT", "int", false}, {"label", "VARCHAR(20)", "varchar", true}},
                 {"id"},
                 {{"1", "red"}, {"2", std::nullopt}, {"3", "blue"}, {"40", "tab\there"}}});
  config::TableMapping mapping;
  mapping.name = mapping.source_table = mapping.target_table = "tags";
  mapping.target_schema = this->schema();
  mapping.chunk_rows = 2;
  fakes::MemoryStateStore state;
  const auto first = pipeline::sync_table(mapping, this->source(), this->target(), state, {});
  ASSERT_EQ(first.outcome, Outcome::ok) << first.error_text();
  EXPECT_EQ(first.counts.inserted, 4U);
  const auto again = pipeline::sync_table(mapping, this->source(), this->target(), state, {});
  ASSERT_EQ(again.outcome, Outcome::ok) << again.error_text();
  EXPECT_GT(again.counts.chunks_compared, 0U);
  EXPECT_EQ(again.counts.chunks_differing, 0U);
  EXPECT_EQ(again.counts.moved(), 0U);
  this->source_exec(SourceChange{SourceChange::Kind::erase, "tags", {"3"}});
  this->source_exec(SourceChange{SourceChange::Kind::upsert, "tags", {"2", "green"}});
  const auto changed = pipeline::sync_table(mapping, this->source(), this->target(), state, {});
  ASSERT_EQ(changed.outcome, Outcome::ok) << changed.error_text();
  EXPECT_EQ(changed.counts.deleted, 1U);
  EXPECT_EQ(changed.counts.updated, 1U);
  EXPECT_EQ(this->target_rows("tags", {"id", "label"}),
            (std::vector<TargetRow>{{"1", "red"}, {"2", "green"}, {"40", "tab\there"}}));
}

// The rows of a chunk as validate --checksum narrows it down: the same keys and digests on both
// sides after a load, and the changed row told apart.
TYPED_TEST_P(PipelineContract, RowDigestsOfAChunkMatchOnBothSides) {
  this->create_source(
      SourceSpec{"tags",
                 {{"id", "INT", "int", false}, {"label", "VARCHAR(20)", "varchar", true}},
                 {"id"},
                 {{"1", "red"}, {"2", std::nullopt}, {"3", "blue"}}});
  config::TableMapping mapping;
  mapping.name = mapping.source_table = mapping.target_table = "tags";
  mapping.target_schema = this->schema();
  fakes::MemoryStateStore state;
  ASSERT_EQ(pipeline::sync_table(mapping, this->source(), this->target(), state, {}).outcome,
            Outcome::ok);
  const auto by_key = [](std::vector<RowDigest> rows) {
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    return rows;
  };
  auto plan = convert::compare_plan(convert::plan_table(this->source().describe("tags"), mapping),
                                    this->source().key_range("tags", "id", ""),
                                    mapping.chunk_rows);
  plan.digest_column = k_digest_column;
  const ChunkFilter chunk{&plan, "0"};
  const auto target_table = *this->target().describe(this->schema(), "tags");
  const auto source_rows = by_key(this->source().row_digests("tags", chunk));
  auto target_rows = by_key(this->target().row_digests(target_table, chunk));
  ASSERT_EQ(source_rows.size(), 3U);
  ASSERT_EQ(target_rows.size(), 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(source_rows[i].key, target_rows[i].key);
    EXPECT_EQ(source_rows[i].hash, target_rows[i].hash) << "row " << i;
  }
  this->source_exec(SourceChange{SourceChange::Kind::upsert, "tags", {"2", "green"}});
  const auto changed = by_key(this->source().row_digests("tags", chunk));
  EXPECT_NE(changed[1].hash, target_rows[1].hash);
  EXPECT_EQ(changed[0].hash, target_rows[0].hash);
}

REGISTER_TYPED_TEST_SUITE_P(PipelineContract,
                            ALoadedTableComparesEqualAndADeleteIsFound,
                            RowDigestsOfAChunkMatchOnBothSides);

} // namespace migrate::contract

#include "migrate/validate/schema_changes.hpp"
#include "migrate/validate/schema_drift.hpp"

#include <gtest/gtest.h>

using migrate::SchemaChange;
using migrate::TargetColumn;
using migrate::TargetTable;
using migrate::validate::plan_schema_changes;

namespace {

TargetTable table(std::vector<TargetColumn> columns, std::vector<std::string> key = {"id"}) {
  return TargetTable{"public", "t", std::move(columns), std::move(key), {}, {}};
}

TargetColumn column(const std::string& name,
                    const std::string& type,
                    bool not_null = false,
                    std::vector<std::string> labels = {}) {
  return TargetColumn{name, type, not_null, std::move(labels), false};
}

const TargetColumn k_id = column("id", "integer", true);

} // namespace

TEST(SchemaChanges, NoDifferenceNoChange) {
  const auto plan = plan_schema_changes(table({k_id}), table({k_id}));
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_TRUE(plan.refused.empty());
}

TEST(SchemaChanges, ANewColumnIsAddedNullableEvenWhenMysqlHasItNotNull) {
  const auto plan = plan_schema_changes(
      table({k_id, column("a", "text"), column("b", "integer", true)}), table({k_id}));
  ASSERT_EQ(plan.changes.size(), 2U);
  EXPECT_EQ(plan.changes[0].kind, SchemaChange::Kind::add_column);
  EXPECT_EQ(plan.changes[1].column.name, "b");
  EXPECT_TRUE(plan.refused.empty());
  EXPECT_TRUE(plan.adds_columns());
  EXPECT_EQ(plan.changes[0].describe(), "add column a (text)");
}

TEST(SchemaChanges, TheDigestColumnIsLeftToTheToolColumns) {
  const auto plan =
      plan_schema_changes(table({k_id, column("_migrate_digest", "bigint")}), table({k_id}));
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_TRUE(plan.refused.empty());
}

TEST(SchemaChanges, WiderTypesAreApplied) {
  const struct {
    const char* existing;
    const char* expected;
  } cases[] = {{"integer", "bigint"},
               {"smallint", "integer"},
               {"character varying(50)", "varchar(100)"},
               {"character varying(50)", "text"},
               {"numeric(10,2)", "numeric(12,2)"},
               {"numeric(10,2)", "numeric(12,3)"},
               {"real", "double precision"}};
  for (const auto& c : cases) {
    const auto plan = plan_schema_changes(table({k_id, column("v", c.expected)}),
                                          table({k_id, column("v", c.existing)}));
    ASSERT_EQ(plan.changes.size(), 1U) << c.existing << " -> " << c.expected;
    EXPECT_EQ(plan.changes[0].kind, SchemaChange::Kind::widen_type);
    EXPECT_EQ(plan.changes[0].old_type, c.existing);
    EXPECT_TRUE(plan.refused.empty()) << c.existing << " -> " << c.expected;
  }
}

TEST(SchemaChanges, NarrowerOrOtherTypesAreRefused) {
  const struct {
    const char* existing;
    const char* expected;
  } cases[] = {{"bigint", "integer"}, // MySQL narrowed: the target already holds it
               {"integer", "text"},   // another kind of value
               {"text", "integer"},
               {"numeric(12,2)", "numeric(12,3)"}}; // fewer integer digits
  for (const auto& c : cases) {
    const auto plan = plan_schema_changes(table({k_id, column("v", c.expected)}),
                                          table({k_id, column("v", c.existing)}));
    EXPECT_TRUE(plan.changes.empty()) << c.existing << " -> " << c.expected;
  }
  EXPECT_FALSE(
      plan_schema_changes(table({k_id, column("v", "text")}), table({k_id, column("v", "integer")}))
          .refused.empty());
}

TEST(SchemaChanges, NewEnumLabelsAreAdded) {
  const auto plan = plan_schema_changes(
      table({k_id, column("size", "varchar(6)", false, {"S", "M", "L", "XL"})}),
      table({k_id, column("size", "character varying(6)", false, {"S", "M", "L"})}));
  ASSERT_EQ(plan.changes.size(), 1U);
  EXPECT_EQ(plan.changes[0].kind, SchemaChange::Kind::add_enum_label);
  EXPECT_EQ(plan.changes[0].label, "XL");
  EXPECT_TRUE(plan.refused.empty());
  EXPECT_EQ(migrate::validate::schema_drift(
                table({k_id, column("size", "varchar(6)", false, {"S", "M", "L", "XL"})}),
                table({k_id, column("size", "character varying(6)", false, {"S", "M", "L"})})),
            std::vector<std::string>{"column size: PostgreSQL lacks the ENUM labels 'XL'"});
}

TEST(SchemaChanges, UnknownExistingLabelsAddNothing) {
  const auto plan = plan_schema_changes(table({k_id, column("size", "text", false, {"S", "M"})}),
                                        table({k_id, column("size", "text")}));
  EXPECT_TRUE(plan.changes.empty());
  EXPECT_TRUE(plan.refused.empty());
}

TEST(SchemaChanges, DroppedOrRenamedColumnsAndAnotherKeyAreRefused) {
  // A rename looks like a drop and an add: the add alone would leave the old column behind.
  const auto renamed =
      plan_schema_changes(table({k_id, column("b", "text")}), table({k_id, column("a", "text")}));
  ASSERT_EQ(renamed.refused.size(), 1U);
  EXPECT_NE(renamed.refused[0].find("column a (text) is in PostgreSQL but not in MySQL"),
            std::string::npos);
  const auto key = plan_schema_changes(table({k_id, column("b", "text", true)}, {"id", "b"}),
                                       table({k_id, column("b", "text", true)}));
  ASSERT_EQ(key.refused.size(), 1U);
  EXPECT_NE(key.refused[0].find("primary key differs"), std::string::npos);
}

TEST(SchemaChanges, ANotNullMysqlDropsIsRefused) {
  const auto plan = plan_schema_changes(table({k_id, column("a", "text")}),
                                        table({k_id, column("a", "text", true)}));
  EXPECT_TRUE(plan.changes.empty());
  ASSERT_EQ(plan.refused.size(), 1U);
}

#include "migrate/cutover/application_rules.hpp"
#include "migrate/cutover/cutover.hpp"

#include <gtest/gtest.h>

namespace migrate::cutover {
namespace {

SourceColumn column(std::optional<std::string> default_value, std::string extra = {}) {
  SourceColumn out;
  out.name = "c";
  out.default_value = std::move(default_value);
  out.extra = std::move(extra);
  return out;
}

TargetTable customers() {
  return TargetTable{
      "public",
      "customers",
      {TargetColumn{"id", "integer", true, {}, false},
       TargetColumn{"tier", "text", false, {}, false},
       TargetColumn{"updated_at", "timestamp(6) without time zone", false, {}, false}},
      {"id"},
      {},
      {}};
}

TargetCatalog bare_catalog() {
  TargetCatalog out;
  out.columns = {{"id", true, false}, {"tier", false, false}, {"updated_at", false, false}};
  return out;
}

TEST(CutoverDefaults, ReadsMysqlsBareLiteralsAndItsMarkedExpressions) {
  using Kind = ColumnDefault::Kind;
  EXPECT_EQ(parse_default(column(std::nullopt), false).kind, Kind::none);
  const auto bronze = parse_default(column("bronze"), false);
  EXPECT_EQ(bronze.kind, Kind::literal);
  EXPECT_EQ(bronze.value, "bronze");
  EXPECT_EQ(parse_default(column("NULL"), false).value, "NULL"); // the text NULL, on MySQL
  EXPECT_EQ(parse_default(column(""), false).kind, Kind::literal);
  EXPECT_EQ(parse_default(column("CURRENT_TIMESTAMP(6)",
                                 "DEFAULT_GENERATED on update "
                                 "CURRENT_TIMESTAMP(6)"),
                          false)
                .kind,
            Kind::now);
  EXPECT_EQ(parse_default(column("CURRENT_TIMESTAMP", "on update CURRENT_TIMESTAMP"), false).kind,
            Kind::now); // MySQL 5.7: no DEFAULT_GENERATED
  EXPECT_EQ(parse_default(column("uuid()", "DEFAULT_GENERATED"), false).kind, Kind::expression);
  EXPECT_EQ(parse_default(column("b'1'"), false).value, "1");
}

TEST(CutoverDefaults, ReadsMariadbsQuotedLiteralsAndItsNull) {
  using Kind = ColumnDefault::Kind;
  EXPECT_EQ(parse_default(column("NULL"), true).kind, Kind::none);
  const auto quoted = parse_default(column("'it''s'"), true);
  EXPECT_EQ(quoted.kind, Kind::literal);
  EXPECT_EQ(quoted.value, "it's");
  EXPECT_EQ(parse_default(column("0"), true).value, "0");
  EXPECT_EQ(parse_default(column("-1.5"), true).kind, Kind::literal);
  EXPECT_EQ(parse_default(column("current_timestamp()"), true).kind, Kind::now);
  EXPECT_EQ(parse_default(column("uuid()"), true).kind, Kind::expression);
}

TEST(CutoverDefaults, FindsOnUpdateAndCaseInsensitiveCollations) {
  EXPECT_TRUE(updates_on_change(column("x", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(6)")));
  EXPECT_TRUE(updates_on_change(column("x", "on update current_timestamp()")));
  EXPECT_FALSE(updates_on_change(column("x", "DEFAULT_GENERATED")));
  SourceColumn text;
  for (const char* ci : {"utf8mb4_0900_ai_ci", "utf8mb4_unicode_ci", "latin1_swedish_ci"}) {
    text.collation = ci;
    EXPECT_TRUE(case_insensitive(text)) << ci;
  }
  for (const char* cs : {"utf8mb4_bin", "utf8mb4_0900_as_cs", ""}) {
    text.collation = cs;
    EXPECT_FALSE(case_insensitive(text)) << cs;
  }
}

TEST(CutoverColumnRules, SetsDefaultsNotNullsAndTheOnUpdateTriggerWhereMissing) {
  const std::vector<ColumnRule> rules{
      {"tier", "text", {ColumnDefault::Kind::literal, "it's"}, true, false, {}},
      {"updated_at",
       "timestamp(6) without time zone",
       {ColumnDefault::Kind::now, "CURRENT_TIMESTAMP(6)"},
       false,
       true,
       {}}};
  const auto decision = plan_column_rules(customers(), rules, bare_catalog());
  ASSERT_EQ(decision.steps.size(), 4U);
  EXPECT_EQ(decision.steps[0].sql,
            R"(ALTER TABLE "public"."customers" ALTER COLUMN "tier" SET DEFAULT 'it''s'::text)");
  EXPECT_EQ(decision.steps[1].sql,
            R"(ALTER TABLE "public"."customers" ALTER COLUMN "tier" SET NOT NULL)");
  EXPECT_NE(decision.steps[2].sql.find("SET DEFAULT statement_timestamp()"), std::string::npos);
  EXPECT_EQ(decision.steps[3].kind, Step::Kind::on_update);
  EXPECT_NE(decision.steps[3].sql.find("BEFORE UPDATE ON \"public\".\"customers\""),
            std::string::npos);
  EXPECT_NE(decision.steps[3].sql.find("NEW.\"updated_at\" := statement_timestamp()"),
            std::string::npos);

  auto done = bare_catalog();
  done.columns = {{"id", true, false}, {"tier", true, true}, {"updated_at", false, true}};
  done.triggers = {on_update_trigger_name(customers(), "updated_at")};
  EXPECT_TRUE(plan_column_rules(customers(), rules, done).steps.empty()); // a second cutover
}

TEST(CutoverColumnRules, SaysWhyADefaultIsNotCarriedOver) {
  const std::vector<ColumnRule> rules{
      {"tier", "text", {ColumnDefault::Kind::expression, "uuid()"}, false, false, {}},
      {"id", "integer", {ColumnDefault::Kind::literal, "7"}, false, false, "transformed"},
      {"updated_at",
       "timestamp(6) without time zone",
       {ColumnDefault::Kind::literal, "0000-00-00 00:00:00"},
       false,
       false,
       {}}};
  const auto decision = plan_column_rules(customers(), rules, bare_catalog());
  EXPECT_TRUE(decision.steps.empty());
  ASSERT_EQ(decision.notes.size(), 3U);
  EXPECT_NE(decision.notes[0].find("expression (uuid())"), std::string::npos);
  EXPECT_NE(decision.notes[1].find("transformed"), std::string::npos);
  EXPECT_NE(decision.notes[2].find("zero date"), std::string::npos);
}

TEST(CutoverChecks, TranslatesNamesIntroducersAndEscapes) {
  const ColumnLookup lookup = [](const std::string& name) -> std::optional<std::string> {
    if (name == "Price") {
      return "price";
    }
    if (name == "status") {
      return "status";
    }
    return std::nullopt;
  };
  EXPECT_EQ(check_clause("(`Price` >= 0)", lookup), R"(("price" >= 0))");
  EXPECT_EQ(check_clause(R"((`status` in (_utf8mb4'new',_utf8mb4'it\'s','a''b')))", lookup),
            R"(("status" in ('new','it''s','a''b')))");
  EXPECT_THROW(check_clause("(`gone` > 1)", lookup), std::invalid_argument);
  // \n, \0, \% and \_ mean more than a PostgreSQL literal can carry as it is: not carried.
  EXPECT_THROW(check_clause(R"((`status` like _utf8mb4'a\_b'))", lookup), std::invalid_argument);
}

TEST(CutoverChecks, AddsNotValidThenValidatesAndSkipsJsonValid) {
  const ColumnLookup same = [](const std::string& name) {
    return std::optional(name);
  };
  const std::vector<SourceCheck> checks{{"customers_chk_1", "(`id` > 0)"},
                                        {"doc", "json_valid(`doc`)"},
                                        {"customers_chk_2", "(`gone` > 0)"}};
  auto catalog = bare_catalog();
  const auto lookup = [](const std::string& name) -> std::optional<std::string> {
    return name == "gone" ? std::nullopt : std::optional(name);
  };
  const auto decision = plan_checks(customers(), checks, lookup, catalog);
  ASSERT_EQ(decision.steps.size(), 2U);
  EXPECT_EQ(decision.steps[0].kind, Step::Kind::check);
  EXPECT_NE(decision.steps[0].sql.find("CHECK ((\"id\" > 0)) NOT VALID"), std::string::npos);
  EXPECT_EQ(decision.steps[1].kind, Step::Kind::validate_key);
  ASSERT_EQ(decision.notes.size(), 1U);
  EXPECT_NE(decision.notes[0].find("column gone is not mapped"), std::string::npos);
  catalog.constraints.push_back({"customers_chk_1", false, true});
  EXPECT_TRUE(plan_checks(customers(), {checks[0]}, same, catalog).steps.empty());
}

TEST(CutoverIndexes, BuildsACaseInsensitiveUniqueKeyOnLower) {
  auto table = customers();
  table.indexes = {SourceIndex{"tier_id", true, {"tier", "id"}}};
  const auto steps = plan_indexes(table, bare_catalog(), {"tier"});
  ASSERT_FALSE(steps.empty());
  EXPECT_NE(steps[0].sql.find("(lower(\"tier\"), \"id\")"), std::string::npos);
}

TEST(CutoverRevert, DropsKeysUniqueIndexesAndTriggersTheCutoverMade) {
  TableCutover plan;
  plan.table = "customers";
  plan.target = customers();
  plan.target.indexes = {SourceIndex{"tier", true, {"tier"}}, SourceIndex{"id2", false, {"id"}}};
  plan.foreign_keys.push_back(TargetForeignKey{
      "fk", "public", "customers", {"id"}, "public", "people", {"id"}, "RESTRICT", "RESTRICT"});
  plan.catalog.constraints.push_back({"fk", true, true});
  plan.catalog.indexes.push_back(
      {unique_index_name(plan.target, plan.target.indexes[0]), true, true});
  plan.catalog.triggers.push_back(on_update_trigger_name(plan.target, "updated_at"));
  const auto steps = plan_revert(plan);
  ASSERT_EQ(steps.size(), 4U);
  EXPECT_NE(steps[0].sql.find("DROP CONSTRAINT IF EXISTS \"fk\""), std::string::npos);
  EXPECT_NE(steps[1].sql.find("CREATE INDEX IF NOT EXISTS"), std::string::npos);
  EXPECT_NE(steps[2].sql.find("DROP INDEX IF EXISTS"), std::string::npos);
  EXPECT_NE(steps[3].sql.find("DROP TRIGGER IF EXISTS"), std::string::npos);
  EXPECT_NE(steps[3].sql.find("DROP FUNCTION IF EXISTS"), std::string::npos);

  plan.catalog = {}; // nothing the cutover made is there
  EXPECT_TRUE(plan_revert(plan).empty());
}

} // namespace
} // namespace migrate::cutover

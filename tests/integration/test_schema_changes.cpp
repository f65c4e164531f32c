// Schema changes during the parallel run: what MySQL adds (a column, a wider type, an ENUM label)
// reaches PostgreSQL before the rows; what it drops or renames fails the table and changes nothing.
#include "support.hpp"

namespace migrate::testing {
namespace {

class SchemaChanges : public TestDatabase {
protected:
  void run_ok(const std::string& args = {}) {
    const auto result = migrate(args);
    ASSERT_EQ(result.exit_code, 0) << result.output;
  }
  std::string columns(const std::string& table) {
    return pg().scalar("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY "
                       "ordinal_position) FROM information_schema.columns WHERE table_schema = "
                       "'public' AND table_name = '"
                       + table + "'");
  }
};

TEST_F(SchemaChanges, AnAddedColumnIsFilledForEveryExistingRowOfATimestampTable) {
  mysql().exec("CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(20), updated_at "
               "DATETIME(6) NOT NULL)");
  mysql().exec("INSERT INTO people VALUES (1, 'ann', '2024-01-01'), (2, 'bob', '2024-01-02')");
  write_mapping("defaults:\n  lookback: 0s\ntables:\n  - source_table: people\n"
                "    timestamp_column: updated_at\n");
  run_ok();
  // Existing rows get the default without a new timestamp: only a full re-read finds them.
  mysql().exec("ALTER TABLE people ADD COLUMN city VARCHAR(20) NOT NULL DEFAULT 'Oslo'");
  mysql().exec("UPDATE people SET city = 'Rome', updated_at = updated_at WHERE id = 2");
  const auto diff = migrate("schema --diff");
  EXPECT_EQ(diff.exit_code, 0) << diff.output;
  EXPECT_TRUE(contains(diff.output, "ADD COLUMN IF NOT EXISTS \"city\" varchar(20)"))
      << diff.output;
  EXPECT_FALSE(contains(columns("people"), "city")); // --diff changes nothing
  const auto result = migrate();
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "schema change applied")) << result.output;
  EXPECT_EQ(pg().scalar("SELECT string_agg(city, ',' ORDER BY id) FROM people"), "Oslo,Rome");
  expect_same_content("people");
  run_ok(); // no drift left
  // The history keeps what the run changed, with the run that did it.
  const auto history = migrate("history --table people");
  EXPECT_EQ(history.exit_code, 0) << history.output;
  EXPECT_TRUE(contains(history.output, "changed the target: public.people: ")) << history.output;
  EXPECT_TRUE(contains(history.output, "city")) << history.output;
  const auto json = migrate("history --table people --json");
  EXPECT_TRUE(contains(json.output, "\"schema_changes\":[\"public.people: ")) << json.output;
}

TEST_F(SchemaChanges, AnAddedColumnIsFilledOnATableWithoutTimestamp) {
  mysql().exec("CREATE TABLE tags (id INT PRIMARY KEY, label VARCHAR(20))");
  mysql().exec("INSERT INTO tags VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  write_mapping("tables:\n  - source_table: tags\n");
  run_ok();
  mysql().exec("ALTER TABLE tags ADD COLUMN weight INT");
  mysql().exec("UPDATE tags SET weight = id * 10 WHERE id < 3");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(weight) FROM tags"), "2");
  expect_same_content("tags");
}

TEST_F(SchemaChanges, WiderTypesAreAppliedBeforeTheRowsThatNeedThem) {
  mysql().exec("CREATE TABLE wide (id INT PRIMARY KEY, v VARCHAR(5), n INT, d DECIMAL(6,2))");
  mysql().exec("INSERT INTO wide VALUES (1, 'short', 1, 1.5)");
  write_mapping("tables:\n  - source_table: wide\n");
  run_ok();
  mysql().exec("ALTER TABLE wide MODIFY v VARCHAR(50), MODIFY n BIGINT, MODIFY d DECIMAL(12,2)");
  mysql().exec("INSERT INTO wide VALUES (2, 'a good deal longer', 9000000000, 1234567890.25)");
  run_ok();
  EXPECT_EQ(columns("wide"),
            "id integer, v character varying, n bigint, d numeric, _migrate_digest bigint, "
            "_migrate_seal bigint");
  EXPECT_EQ(pg().scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid "
                        "= 'wide'::regclass AND attname = 'v'"),
            "character varying(50)");
  expect_same_content("wide");
}

TEST_F(SchemaChanges, ANewEnumLabelExtendsTheCheckAndTheEnumType) {
  for (const std::string as : {"check", "type"}) {
    const auto table = "shirts_" + as;
    mysql().exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, size ENUM('S','M'))");
    mysql().exec("INSERT INTO " + table + " VALUES (1, 'S')");
  }
  write_mapping("tables:\n  - source_table: shirts_check\n    enum_as: check\n"
                "  - source_table: shirts_type\n    enum_as: type\n");
  run_ok();
  for (const std::string as : {"check", "type"}) {
    const auto table = "shirts_" + as;
    mysql().exec("ALTER TABLE " + table + " MODIFY size ENUM('S','M','XL')");
    mysql().exec("INSERT INTO " + table + " VALUES (2, 'XL')");
  }
  run_ok();
  for (const std::string as : {"check", "type"}) {
    expect_same_content("shirts_" + as);
  }
  run_ok();
}

// A CHECK longer than PostgreSQL's 63-byte names is read whole: a run with no change in MySQL
// changes nothing in PostgreSQL (no ALTER, which locks the table and checks every row).
TEST_F(SchemaChanges, ALongEnumCheckIsNotAppliedAgainOnEveryRun) {
  mysql().exec("CREATE TABLE orders (id INT PRIMARY KEY, status ENUM('received', 'processing', "
               "'shipped', 'delivered', 'cancelled', 'refunded'))");
  mysql().exec("INSERT INTO orders VALUES (1, 'shipped'), (2, 'refunded')");
  write_mapping("tables:\n  - source_table: orders\n");
  run_ok();
  const auto again = migrate();
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_FALSE(contains(again.output, "schema change applied")) << again.output;
  const auto diff = migrate("schema --diff");
  EXPECT_FALSE(contains(diff.output, "ALTER TABLE")) << diff.output;
  expect_same_content("orders");
}

TEST_F(SchemaChanges, ADroppedColumnFailsTheTableAndChangesNothing) {
  mysql().exec("CREATE TABLE gone (id INT PRIMARY KEY, a INT, b INT)");
  mysql().exec("INSERT INTO gone VALUES (1, 1, 1)");
  write_mapping("tables:\n  - source_table: gone\n");
  run_ok();
  mysql().exec("ALTER TABLE gone DROP COLUMN b, ADD COLUMN c INT");
  const auto before = columns("gone");
  const auto result = migrate();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "column b (integer) is in PostgreSQL but not in MySQL"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "not applied")) << result.output;
  EXPECT_EQ(columns("gone"), before); // not even the added column
  const auto diff = migrate("schema --diff");
  EXPECT_EQ(diff.exit_code, 1) << diff.output;
  EXPECT_TRUE(contains(diff.output, "REFUSED: column b")) << diff.output;
  // The same verdicts as one JSON document, with the same exit code.
  const auto json = migrate("schema --diff --json");
  EXPECT_EQ(json.exit_code, 1) << json.output;
  EXPECT_EQ(json_eval(dir() / "schema.json",
                      line_starting(json.output, "{\"tables\""),
                      "d['ok'], d['tables'][0]['target'], d['tables'][0]['exists'], "
                      "[r.split(' (')[0] for r in d['tables'][0]['refused']], "
                      "d['tables'][0]['error']"),
            "(False, 'public.gone', True, ['column b'], None)");
}

} // namespace
} // namespace migrate::testing

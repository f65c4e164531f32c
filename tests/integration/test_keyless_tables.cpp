// Tables without a primary key, modelled on pgloader's MySQL test schema: a unique NOT NULL key is
// used as the key; a table with no usable key is compared whole and replaced when it differs,
// duplicate rows included.
#include "support.hpp"

namespace migrate::testing {
namespace {

// One keyless table: its DDL, its rows (every table holds a duplicated row), and two edits.
struct KeylessCase {
  std::string name;
  std::string table;
  std::string create;
  std::string insert;
  std::string change_one_row; // an UPDATE ... LIMIT 1
  std::string delete_one_duplicate;
};

// gtest prints a parameter by name instead of its bytes.
void PrintTo(const KeylessCase& c, std::ostream* out) {
  *out << c.name;
}

std::string case_name(const ::testing::TestParamInfo<KeylessCase>& info) {
  return info.param.name;
}

const KeylessCase k_cases[] = {
    {"TextIds",
     "base64",
     "CREATE TABLE base64 (id VARCHAR(255), data LONGTEXT) COMMENT 'Test decoding base64 "
     "documents'",
     "INSERT INTO base64 VALUES ('65de699d-b5cc-4e13-b507-c71adea31e53', "
     "'eyJrZXkiOiAidmFsdWUifQ=='), ('65de699d-b5cc-4e13-b507-c71adea31e53', "
     "'eyJrZXkiOiAidmFsdWUifQ=='), ('b', 'line\\nbreak\\ttab \\\\ back'), (NULL, 'no id'), "
     "('c', NULL), ('', '')",
     "UPDATE base64 SET data = 'e30=' WHERE id = 'b' LIMIT 1",
     "DELETE FROM base64 WHERE id = '65de699d-b5cc-4e13-b507-c71adea31e53' LIMIT 1"},
    {"GbkText",
     "gbk_words",
     "CREATE TABLE gbk_words (word VARCHAR(20), meaning TEXT) DEFAULT CHARSET=gbk",
     "INSERT INTO gbk_words VALUES ('中文', '汉语的书面语'), ('中文', '汉语的书面语'), "
     "('数据库', '存储数据的仓库'), ('迁移', NULL), ('表', '')",
     "UPDATE gbk_words SET meaning = '把数据搬到别处' WHERE word = '迁移' LIMIT 1",
     "DELETE FROM gbk_words WHERE word = '中文' LIMIT 1"},
    {"UnsignedSmallint",
     "pgloader_test_unsigned",
     "CREATE TABLE pgloader_test_unsigned (id SMALLINT UNSIGNED, sm SMALLINT, tu TINYINT UNSIGNED)",
     "INSERT INTO pgloader_test_unsigned VALUES (65535, -32768, 255), (65535, -32768, 255), "
     "(0, 32767, 0), (NULL, NULL, NULL), (1, NULL, 1)",
     "UPDATE pgloader_test_unsigned SET tu = 128 WHERE id = 0 LIMIT 1",
     "DELETE FROM pgloader_test_unsigned WHERE id = 65535 LIMIT 1"},
    {"CamelCaseName",
     "CamelCase",
     "CREATE TABLE `CamelCase` (`validSizes` VARCHAR(12))",
     "INSERT INTO `CamelCase` VALUES ('XS,S,M'), ('XS,S,M'), ('L,XL'), (NULL), ('42')",
     "UPDATE `CamelCase` SET `validSizes` = 'XXL' WHERE `validSizes` = 'L,XL' LIMIT 1",
     "DELETE FROM `CamelCase` WHERE `validSizes` = 'XS,S,M' LIMIT 1"},
    {"DuplicateRows",
     "uw_defined_meaning",
     "CREATE TABLE uw_defined_meaning (defined_meaning_id INT NOT NULL, expression_id INT NOT "
     "NULL, meaning_text_tcid INT NOT NULL, add_transaction_id INT NOT NULL, "
     "remove_transaction_id INT DEFAULT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
     "INSERT INTO uw_defined_meaning VALUES (1, 10, 100, 5, NULL), (1, 10, 100, 5, NULL), "
     "(2, 20, 200, 5, NULL), (2, 20, 200, 5, NULL), (2, 20, 200, 5, NULL), (3, 30, 300, 6, 7)",
     "UPDATE uw_defined_meaning SET remove_transaction_id = 9 WHERE defined_meaning_id = 3 LIMIT 1",
     "DELETE FROM uw_defined_meaning WHERE defined_meaning_id = 2 LIMIT 1"},
};

class KeylessTables : public TestDatabase {
protected:
  ProcessResult run_ok(const std::string& args = {}) {
    auto result = migrate(args);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result;
  }
  long long latest(const std::string& table, const std::string& column) {
    return std::stoll(latest_run(table).at(column));
  }
  long long mysql_count(const std::string& table) {
    return std::stoll(mysql().scalar("SELECT COUNT(*) FROM `" + table + "`"));
  }
  long long pg_count(const std::string& table) {
    return std::stoll(pg().scalar("SELECT count(*) FROM \"" + table + "\""));
  }
  // The target's rows are replaced: every source row inserted, every earlier target row deleted.
  void run_and_expect_replaced(const std::string& table) {
    const auto before = pg_count(table);
    run_ok();
    EXPECT_EQ(latest_run(table).at("mode"), "replace");
    EXPECT_EQ(latest(table, "rows_inserted"), mysql_count(table));
    EXPECT_EQ(latest(table, "rows_deleted"), before);
    expect_same_content(table);
  }
  void run_and_expect_nothing_written(const std::string& table) {
    run_ok();
    EXPECT_EQ(latest_run(table).at("mode"), "replace");
    EXPECT_EQ(latest(table, "rows_inserted"), 0);
    EXPECT_EQ(latest(table, "rows_deleted"), 0);
    EXPECT_EQ(latest(table, "rows_read"), 0);
  }
};

class KeylessTable : public KeylessTables, public ::testing::WithParamInterface<KeylessCase> {};

TEST_P(KeylessTable, IsReplacedWhenItDiffersAndLeftAloneWhenEqual) {
  const auto& c = GetParam();
  mysql().exec(c.create);
  mysql().exec(c.insert);
  const auto& name = c.table;
  write_mapping("tables:\n  - source_table: " + name + "\n");

  const auto first = run_ok();
  EXPECT_NE(first.output.find("table=" + name + " has no primary key and no unique key"),
            std::string::npos)
      << first.output;
  EXPECT_EQ(latest_run(name).at("mode"), "replace");
  EXPECT_EQ(latest(name, "rows_inserted"), mysql_count(name));
  EXPECT_EQ(latest(name, "rows_deleted"), 0);
  expect_same_content(name);
  EXPECT_EQ(stored_position(name), "");

  run_and_expect_nothing_written(name);

  mysql().exec(c.change_one_row);
  run_and_expect_replaced(name);
  mysql().exec(c.delete_one_duplicate);
  run_and_expect_replaced(name);
  run_and_expect_nothing_written(name);

  EXPECT_EQ(migrate("validate").exit_code, 0);
  EXPECT_EQ(migrate("validate --checksum").exit_code, 0);
  const auto status = migrate("status");
  EXPECT_NE(status.output.find("replace"), std::string::npos) << status.output;
}

INSTANTIATE_TEST_SUITE_P(PgloaderSchema, KeylessTable, ::testing::ValuesIn(k_cases), case_name);

TEST_F(KeylessTables, ChangingEveryCopyOfADuplicatedRowIsSeen) {
  // {A, A, B} → {C, C, B}: the same count and the same XOR of row hashes (each pair cancels);
  // only the sum of the hashes tells them apart.
  mysql().exec("CREATE TABLE pairs (a INT, b VARCHAR(10))");
  mysql().exec("INSERT INTO pairs VALUES (1, 'x'), (1, 'x'), (2, 'y')");
  write_mapping("tables:\n  - source_table: pairs\n");
  run_ok();
  mysql().exec("UPDATE pairs SET b = 'z' WHERE a = 1");
  EXPECT_EQ(migrate("validate").exit_code, 0); // counts alone cannot see it
  const auto checksum = migrate("validate --checksum");
  EXPECT_EQ(checksum.exit_code, 1) << checksum.output;
  EXPECT_NE(checksum.output.find("DIFFERS"), std::string::npos) << checksum.output;
  run_and_expect_replaced("pairs");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pairs WHERE b = 'z'"), "2");
}

TEST_F(KeylessTables, ValidateCountsSeeADeletedDuplicate) {
  mysql().exec("CREATE TABLE pairs (a INT)");
  mysql().exec("INSERT INTO pairs VALUES (1), (1), (2)");
  write_mapping("tables:\n  - source_table: pairs\n");
  run_ok();
  mysql().exec("DELETE FROM pairs WHERE a = 1 LIMIT 1");
  const auto counts = migrate("validate");
  EXPECT_EQ(counts.exit_code, 1) << counts.output;
  EXPECT_NE(counts.output.find("MISMATCH"), std::string::npos) << counts.output;
  EXPECT_EQ(migrate("validate --checksum").exit_code, 1);
}

TEST_F(KeylessTables, UniqueNotNullKeyIsUsedAsTheKey) {
  mysql().exec(
      "CREATE TABLE order_lines (order_no INT NOT NULL, line_no INT NOT NULL, sku VARCHAR(20), "
      "note VARCHAR(20), UNIQUE KEY uq_sku (sku), UNIQUE KEY uq_lines (order_no, "
      "line_no))");
  mysql().exec(
      "INSERT INTO order_lines VALUES (1, 1, 'a', 'x'), (1, 2, NULL, 'y'), (2, 1, 'b', NULL)");
  write_mapping("tables:\n  - source_table: order_lines\n");
  const auto first = run_ok();
  EXPECT_NE(first.output.find(
                "table=order_lines using unique key uq_lines (order_no, line_no) as the key"),
            std::string::npos)
      << first.output;
  EXPECT_EQ(latest_run("order_lines").at("mode"), "full");
  EXPECT_EQ(
      pg().scalar("SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i "
                  "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
                  "ANY(i.indkey) WHERE i.indrelid = 'order_lines'::regclass AND i.indisprimary"),
      "order_no,line_no");
  expect_same_content("order_lines");
  mysql().exec("UPDATE order_lines SET note = 'changed' WHERE order_no = 2");
  mysql().exec("DELETE FROM order_lines WHERE order_no = 1 AND line_no = 2");
  run_ok();
  EXPECT_EQ(latest_run("order_lines").at("mode"), "compare");
  EXPECT_EQ(latest("order_lines", "rows_updated"), 1);
  EXPECT_EQ(latest("order_lines", "rows_deleted"), 1);
  expect_same_content("order_lines");
}

TEST_F(KeylessTables, UniqueKeyOverANullableColumnIsNotPicked) {
  mysql().exec("CREATE TABLE tags (id INT NOT NULL, code VARCHAR(10), UNIQUE KEY uq_code (code))");
  mysql().exec("INSERT INTO tags VALUES (1, NULL), (1, NULL), (2, 'b')");
  write_mapping("tables:\n  - source_table: tags\n");
  const auto first = run_ok();
  EXPECT_EQ(first.output.find("using unique key"), std::string::npos) << first.output;
  EXPECT_EQ(latest_run("tags").at("mode"), "replace");
  expect_same_content("tags");
}

TEST_F(KeylessTables, MappingPrimaryKeyStillWins) {
  mysql().exec("CREATE TABLE codes (id INT NOT NULL, code VARCHAR(10) NOT NULL, "
               "UNIQUE KEY uq_code (code))");
  mysql().exec("INSERT INTO codes VALUES (1, 'a'), (2, 'b')");
  write_mapping("tables:\n  - source_table: codes\n    primary_key: id\n");
  const auto first = run_ok();
  EXPECT_EQ(first.output.find("using unique key"), std::string::npos) << first.output;
  EXPECT_EQ(latest_run("codes").at("mode"), "full");
  expect_same_content("codes");
}

TEST_F(KeylessTables, ReplacementAboveReplaceMaxRowsIsRefusedAndChangesNothing) {
  mysql().exec("CREATE TABLE big (v INT)");
  mysql().exec("INSERT INTO big VALUES (1), (2), (3)");
  write_mapping("tables:\n  - source_table: big\n    replace_max_rows: 3\n");
  run_ok();
  mysql().exec("INSERT INTO big VALUES (4)");
  const auto refused = migrate();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("more than replace_max_rows (3)"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("add a primary key"), std::string::npos) << refused.output;
  EXPECT_EQ(pg_count("big"), 3);
  write_mapping("defaults:\n  replace_max_rows: 4\ntables:\n  - source_table: big\n");
  run_and_expect_replaced("big");
}

TEST_F(KeylessTables, UpsertWithoutAKeyIsAClearErrorThatLosesNothing) {
  mysql().exec("CREATE TABLE loose (v INT)");
  mysql().exec("INSERT INTO loose VALUES (1)");
  write_mapping("tables:\n  - source_table: loose\n    sync: upsert\n");
  const auto result = migrate();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("sync: upsert needs a key"), std::string::npos) << result.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_class WHERE relname = 'loose'"), "0");
}

TEST_F(KeylessTables, EmptiedSourceIsNotReplicatedAsAnEmptyTarget) {
  mysql().exec("CREATE TABLE fragile (v INT)");
  mysql().exec("INSERT INTO fragile VALUES (1), (1)");
  write_mapping("tables:\n  - source_table: fragile\n");
  run_ok();
  mysql().exec("DELETE FROM fragile");
  const auto result = migrate();
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("refusing to delete every row"), std::string::npos) << result.output;
  EXPECT_EQ(pg_count("fragile"), 2);
}

TEST_F(KeylessTables, AQuarantinedRowStopsTheReplacementAndTheTargetKeepsItsContent) {
  mysql().exec("CREATE TABLE notes (n INT, body VARCHAR(20))");
  mysql().exec("INSERT INTO notes VALUES (1, 'ok'), (1, 'ok'), (2, 'bad'), (3, 'fine')");
  write_mapping("tables:\n  - source_table: notes\n    cast:\n      n: smallint\n");
  run_ok();
  mysql().exec("UPDATE notes SET n = 70000 WHERE body = 'bad'");
  // Replacing now would delete the target's copy of the row the quarantine holds.
  const auto refused = migrate();
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("the target keeps its content"), std::string::npos)
      << refused.output;
  EXPECT_EQ(latest("notes", "quarantined"), 1);
  EXPECT_EQ(pg_count("notes"), 4);
  EXPECT_EQ(pg().scalar("SELECT n FROM notes WHERE body = 'bad'"), "2");
  const auto quarantine = migrate("quarantine");
  EXPECT_NE(quarantine.output.find("key=\"n=70000,body=bad\""), std::string::npos)
      << quarantine.output;
  mysql().exec("UPDATE notes SET n = 7 WHERE body = 'bad'");
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT n FROM notes WHERE body = 'bad'"), "7");
}

} // namespace
} // namespace migrate::testing

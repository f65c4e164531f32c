// "In sync" means every value on both sides: a change made in PostgreSQL by hand, in any kind of
// column and under any transformation, is named by validate --checksum, put back by --repair and
// --full, and stops the cutover; a row that never came from MySQL is extra whatever `deletes`
// says; the periodic comparison finds what the cursor missed; widening a column rewrites nothing.
#include "support.hpp"

namespace migrate::testing {
namespace {

class HandEdits : public TestDatabase {
protected:
  const std::map<std::string, std::string> m_env = {{"MIGRATE_TEST_SALT", "pepper"}};

  ProcessResult run_ok(const std::string& args = {}) {
    auto result = migrate(args, m_env);
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.output;
    return result;
  }

  // Every kind of column and transformation a comparison of normalised values could not see, in a
  // table with a timestamp column (deletes: ignore by default).
  void create_edits() {
    mysql().exec("CREATE TABLE edits (id INT NOT NULL PRIMARY KEY, doc JSON, secret VARCHAR(40), "
                 "phone VARCHAR(30), supplier VARCHAR(60), email VARCHAR(60), name VARCHAR(40), "
                 "flag TINYINT(1), f FLOAT, d DOUBLE, size ENUM('S','M','L'), bits BIT(8), "
                 "place POINT, raw VARBINARY(16), tags SET('a','b','c'), amount DECIMAL(10,2), "
                 "updated_at DATETIME NOT NULL)");
    mysql().exec("INSERT INTO edits VALUES "
                 "(1, '{\"a\": 1}', 's1', '030 1234567', 'M\xc3\x83\xc2\xbcller', 'Ann@X.org', "
                 "' Ann ', 1, 1.5, 2.25, 'M', b'00001111', ST_GeomFromText('POINT(1 2)'), "
                 "x'0102', 'a,b', 12.50, NOW() - INTERVAL 1 DAY), "
                 "(2, '{\"a\": 2}', 's2', '030 7654321', 'Caf\xc3\x83\xc2\xa9', 'bo@x.org', 'Bo', "
                 "0, 0.5, 0.125, 'S', b'1', ST_GeomFromText('POINT(3 4)'), x'03', 'c', 1.00, "
                 "NOW() - INTERVAL 1 DAY)");
    write_mapping(R"yaml(tables:
  - source_table: edits
    timestamp_column: updated_at
    cast: {flag: smallint}
    fix_encoding: {supplier: double_encoded}
    transformations:
      - {column: secret, type: mask, method: sha256, salt_env: MIGRATE_TEST_SALT}
      - {column: phone, type: format_phone, country_code: "49"}
      - {column: email, type: lowercase}
      - {column: name, type: trim}
)yaml");
  }

  // Row 1 as PostgreSQL holds it, every column as text.
  std::string row_one() {
    return pg().scalar("SELECT row_to_json(e)::text FROM (SELECT doc, secret, phone, supplier, "
                       "email, name, flag, f, d, size, bits::text, place, raw, tags, amount "
                       "FROM edits WHERE id = 1) e");
  }
};

struct HandEdit {
  const char* column;
  const char* set; // an UPDATE's SET clause in PostgreSQL
};

const HandEdit k_edits[] = {
    {"json", "doc = '{\"a\": 99}'"},
    {"masked", "secret = 'not a hash'"},
    {"phone-formatted", "phone = '+49 30 0000000'"},
    {"encoding-repaired", "supplier = 'Mueller'"},
    {"lowercased", "email = 'Ann@X.org'"},
    {"trimmed", "name = ' Ann '"},
    {"cast", "flag = 7"},
    {"float", "f = 1.25"},
    {"double", "d = 2.2500000000001"},
    {"enum", "size = 'L'"},
    {"bit", "bits = B'11111111'"},
    {"geometry text", "place = 'POINT(9 9)'"},
    {"bytea", "raw = '\\xff'::bytea"},
    {"array (SET)", "tags = ARRAY['c']"},
    {"decimal", "amount = 12.51"},
};

TEST_F(HandEdits, AnEditToAnyKindOfColumnIsNamedByTheChecksumAndPutBackByRepair) {
  create_edits();
  run_ok();
  const auto original = row_one();
  run_ok("validate --checksum");
  for (const auto& edit : k_edits) {
    SCOPED_TRACE(edit.column);
    pg().exec(std::string("UPDATE edits SET ") + edit.set + " WHERE id = 1");
    ASSERT_NE(row_one(), original);
    const auto checked = migrate("validate --checksum", m_env);
    EXPECT_EQ(checked.exit_code, 1) << checked.output;
    EXPECT_TRUE(contains(checked.output, "key=\"id=1\" difference=\"content differs\""))
        << checked.output;
    const auto repaired = run_ok("validate --checksum --repair");
    EXPECT_EQ(row_one(), original);
  }
}

TEST_F(HandEdits, FullPutsMysqlsValueBackAndTheCutoverStopsOnAnEdit) {
  create_edits();
  run_ok();
  const auto original = row_one();
  pg().exec("UPDATE edits SET doc = '{\"a\": 99}' WHERE id = 1");
  const auto cutover = migrate("cutover", m_env);
  EXPECT_NE(cutover.exit_code, 0) << cutover.output;
  EXPECT_TRUE(contains(cutover.output, "key id=1: content differs")) << cutover.output;
  EXPECT_EQ(pg().scalar("SELECT doc->>'a' FROM edits WHERE id = 1"), "99"); // not overwritten
  run_ok("--full");
  EXPECT_EQ(row_one(), original);
  EXPECT_EQ(latest_run("edits").at("found_by_comparison"), "1");
  run_ok("validate --checksum");
}

TEST_F(HandEdits, ARowInsertedByHandIsExtraInTargetEvenWhereDeletesAreKept) {
  create_edits();
  run_ok();
  pg().exec("INSERT INTO edits (id, name, updated_at) VALUES (99, 'by hand', now())");
  const auto checked = migrate("validate --checksum", m_env);
  EXPECT_EQ(checked.exit_code, 1) << checked.output;
  EXPECT_TRUE(contains(checked.output, "extra in target (never came from MySQL)"))
      << checked.output;
  EXPECT_FALSE(contains(checked.output, "kept (deletes: ignore)")) << checked.output;
  // A row migrate wrote and MySQL deleted is still what the mapping keeps.
  pg().exec("DELETE FROM edits WHERE id = 99");
  mysql().exec("DELETE FROM edits WHERE id = 2");
  const auto kept = run_ok("validate --checksum");
  EXPECT_TRUE(contains(kept.output, "deleted in MySQL, kept (deletes: ignore)")) << kept.output;
}

TEST_F(HandEdits, APeriodicComparisonMovesAChangeTheCursorCannotSee) {
  mysql().exec("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, qty INT, "
               "updated_at DATETIME NOT NULL)");
  std::string values;
  for (int id = 1; id <= 40; ++id) {
    values += (values.empty() ? "" : ", ") + std::string("(") + std::to_string(id)
              + ", 1, NOW() - INTERVAL 1 DAY)";
  }
  mysql().exec("INSERT INTO items VALUES " + values);
  // The newest row, an hour later: the position stands at it, and the lookback re-reads only it.
  mysql().exec("INSERT INTO items VALUES (41, 1, NOW() - INTERVAL 1 HOUR)");
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                "    chunk_rows: 5\n    verify_every: 3\n");
  run_ok();
  // A script that sets a column without moving the timestamp: the cursor never reads these.
  mysql().exec("UPDATE items SET qty = 2, updated_at = updated_at WHERE id IN (3, 17, 38)");
  long long found = 0;
  for (int run = 0; run < 3; ++run) {
    run_ok();
    found += std::stoll(latest_run("items").at("found_by_comparison"));
  }
  EXPECT_EQ(found, 3);
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM items WHERE qty = 2"), "3");
  EXPECT_EQ(latest_run("items").at("mode"), "incremental+verify");
  expect_same_content("items");
}

TEST_F(HandEdits, WideningAVarcharAndAnIntRewritesNoRow) {
  mysql().exec("CREATE TABLE wide (id INT NOT NULL PRIMARY KEY, label VARCHAR(20), qty INT, "
               "price DECIMAL(8,2))");
  std::string values;
  for (int id = 1; id <= 30; ++id) {
    values += (values.empty() ? "" : ", ") + std::string("(") + std::to_string(id) + ", 'item "
              + std::to_string(id) + "', " + std::to_string(id * 7) + ", 1.25)";
  }
  mysql().exec("INSERT INTO wide VALUES " + values);
  write_mapping("tables:\n  - source_table: wide\n");
  run_ok();
  mysql().exec(
      "ALTER TABLE wide MODIFY label VARCHAR(200), MODIFY qty BIGINT, MODIFY price DECIMAL(12,2)");
  const auto widened = run_ok();
  EXPECT_TRUE(contains(widened.output, "schema change applied")) << widened.output;
  EXPECT_EQ(pg().scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE "
                        "attrelid = 'wide'::regclass AND attname = 'qty'"),
            "bigint");
  EXPECT_EQ(latest_run("wide").at("rows_updated"), "0");
  EXPECT_EQ(latest_run("wide").at("chunks_differing"), "0");
  run_ok("validate --checksum");
}

TEST_F(HandEdits, AQuarantinedRowIsLoggedOnceAndAChecksumItExplainsLogsNoError) {
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("CREATE TABLE notes (id INT NOT NULL PRIMARY KEY, body VARCHAR(20))");
  mysql().exec("INSERT INTO notes VALUES (1, CONCAT('a', CHAR(0), 'b')), (2, 'fine')");
  write_mapping("tables:\n  - source_table: notes\n");
  const auto first = run_ok();
  EXPECT_TRUE(contains(first.output, "quarantined=1 column=body")) << first.output;
  const auto second = run_ok(); // the comparison reads the row's chunk again
  EXPECT_FALSE(contains(second.output, "quarantined=1 column=body")) << second.output;
  EXPECT_TRUE(contains(second.output, "still_in_quarantine=1")) << second.output;
  const auto checked = run_ok("validate --checksum");
  EXPECT_TRUE(contains(checked.output, "in quarantine")) << checked.output;
  EXPECT_FALSE(contains(checked.output, " error ")) << checked.output;
}

TEST_F(HandEdits, ZeroYearsAndStrippedTextCompareEqualAfterTheirLoad) {
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("CREATE TABLE odd (id INT NOT NULL PRIMARY KEY, yr YEAR, body VARCHAR(20))");
  mysql().exec("INSERT INTO odd VALUES (1, 0, CONCAT('a', CHAR(0), 'b')), (2, 2020, 'ok')");
  write_mapping("tables:\n  - source_table: odd\n    bad_text: strip\n");
  run_ok();
  run_ok();
  EXPECT_EQ(latest_run("odd").at("chunks_differing"), "0");
  EXPECT_EQ(latest_run("odd").at("rows_updated"), "0");
  const auto checked = run_ok("validate --checksum");
  EXPECT_TRUE(contains(checked.output, "in sync")) << checked.output;
}

} // namespace
} // namespace migrate::testing

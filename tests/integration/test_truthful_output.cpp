// What the tool says must match what it did: comparisons that see every column, --reload, and the
// counts and messages of a run.
#include "support.hpp"

namespace migrate::testing {
namespace {

class TruthfulOutput : public TestDatabase {
protected:
  const std::map<std::string, std::string> m_env = {{"MIGRATE_TEST_SALT", "pepper"}};

  ProcessResult run_ok(const std::string& args = {}) {
    auto result = migrate(args, m_env);
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result;
  }

  std::string latest(const std::string& table, const std::string& column) {
    return latest_run(table).at(column);
  }

  // A table without a timestamp column holding every kind of column a comparison of normalised
  // values could not see.
  void create_kinds() {
    mysql().exec("CREATE TABLE kinds (id INT NOT NULL PRIMARY KEY, doc JSON, secret VARCHAR(40), "
                 "phone VARCHAR(30), supplier VARCHAR(60), f FLOAT, d DOUBLE, flag TINYINT(1))");
    mysql().exec("INSERT INTO kinds VALUES "
                 "(1, '{\"a\": 1}', 's1', '030 1234567', 'M\xc3\x83\xc2\xbcller', 1.5, 2.25, 1), "
                 "(2, '{\"a\": 2}', 's2', '030 7654321', 'Caf\xc3\x83\xc2\xa9', 0.5, 0.125, 0)");
    write_mapping(R"yaml(tables:
  - source_table: kinds
    cast: {flag: smallint}
    fix_encoding: {supplier: double_encoded}
    transformations:
      - {column: secret, type: mask, method: sha256, salt_env: MIGRATE_TEST_SALT}
      - {column: phone, type: format_phone, country_code: "49"}
)yaml");
  }
};

struct ColumnChange {
  const char* kind;
  const char* update; // changes one column of row 1 alone
  const char* target; // what PostgreSQL must hold afterwards (an SQL expression over row 1)
  const char* expected;
};

TEST_F(TruthfulOutput, AChangeToAnyKindOfColumnAloneIsMovedAndValidated) {
  create_kinds();
  run_ok();
  run_ok();
  ASSERT_EQ(latest("kinds", "chunks_differing"), "0");
  const ColumnChange changes[] = {
      {"json", "doc = '{\"a\": 10}'", "doc->>'a'", "10"},
      {"masked", "secret = 's1-new'", "secret = encode(sha256('peppers1-new'::bytea), 'hex')", "t"},
      {"phone", "phone = '030 1111111'", "phone", "+49301111111"},
      {"fix_encoding", "supplier = 'M\xc3\x83\xc2\xbcller AG'", "supplier", "M\xc3\xbcller AG"},
      {"float", "f = 1.5000001", "f::text", "1.5000001"},
      {"double", "d = 2.2500000000000004", "d::text", "2.2500000000000004"},
      {"cast", "flag = 2", "flag::text", "2"},
  };
  for (const auto& change : changes) {
    SCOPED_TRACE(change.kind);
    mysql().exec(std::string("UPDATE kinds SET ") + change.update + " WHERE id = 1");
    run_ok();
    EXPECT_EQ(latest("kinds", "chunks_differing"), "1");
    EXPECT_EQ(latest("kinds", "rows_updated"), "1");
    EXPECT_EQ(pg().scalar(std::string("SELECT ") + change.target + " FROM kinds WHERE id = 1"),
              change.expected);
    const auto checked = run_ok("validate --checksum");
    EXPECT_TRUE(contains(checked.output, "compared exactly: every column")) << checked.output;
  }
}

TEST_F(TruthfulOutput, ValidateChecksumComparesEveryColumnExactlyOrSaysInTheResultWhatItMissed) {
  create_kinds();
  run_ok();
  const auto exact = run_ok("validate --checksum");
  EXPECT_TRUE(contains(exact.output, "compared exactly: every column")) << exact.output;
  EXPECT_FALSE(contains(exact.output, "in part")) << exact.output;
  // A target no run of this version has written: the result itself says what it could not see.
  pg().exec("ALTER TABLE kinds DROP COLUMN _migrate_seal");
  const auto partly = run_ok("validate --checksum --json");
  EXPECT_TRUE(contains(partly.output, "compared in part only")) << partly.output;
  EXPECT_TRUE(contains(partly.output, "doc (NULL or not)")) << partly.output;
  EXPECT_TRUE(contains(partly.output, "f (float: the chunk's sum)")) << partly.output;
  EXPECT_TRUE(contains(partly.output, "\"exact\":false")) << partly.output;
  // The result's own summary (stored, shown by `status` and the report), not only a log line.
  EXPECT_TRUE(contains(partly.output, "in sync; compared in part only: doc")) << partly.output;
}

TEST_F(TruthfulOutput, ValidateChecksumNamesTheKeyRangeOfADifferingChunk) {
  create_kinds();
  run_ok();
  pg().exec("UPDATE kinds SET flag = 5 WHERE id = 2");
  const auto checked = migrate("validate --checksum", m_env);
  EXPECT_EQ(checked.exit_code, 1) << checked.output;
  EXPECT_TRUE(contains(checked.output, "differs from MySQL in chunk id > -10000 and < 10000"))
      << checked.output;
  EXPECT_TRUE(contains(checked.output, "key=\"id=2\" difference=\"content differs\""))
      << checked.output;
  run_ok("--full"); // repairs what was edited in PostgreSQL too
  EXPECT_EQ(pg().scalar("SELECT flag FROM kinds WHERE id = 2"), "0");
  run_ok("validate --checksum");
}

TEST_F(TruthfulOutput, ReloadReadsEveryRowAgainAndSaysSo) {
  create_kinds();
  run_ok();
  const auto reloaded = run_ok("--reload");
  EXPECT_TRUE(contains(reloaded.output, "--reload: reading every row again")) << reloaded.output;
  EXPECT_EQ(latest("kinds", "mode"), "reload+compare");
  EXPECT_EQ(latest("kinds", "rows_read"), "2");
  EXPECT_EQ(latest("kinds", "rows_unchanged"), "2");
}

TEST_F(TruthfulOutput, ATargetMadeBeforeRowDigestsGetsThemOnItsNextRun) {
  create_kinds();
  run_ok();
  pg().exec("ALTER TABLE kinds DROP COLUMN _migrate_digest");
  const auto before = run_ok("validate --checksum");
  EXPECT_TRUE(contains(before.output, "compared in part only")) << before.output;
  const auto upgraded = run_ok();
  EXPECT_TRUE(contains(upgraded.output, "adding column _migrate_digest")) << upgraded.output;
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM kinds WHERE _migrate_digest IS NULL"), "0");
  run_ok();
  EXPECT_EQ(latest("kinds", "chunks_differing"), "0");
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

TEST_F(TruthfulOutput, AZeroDateRowSentToQuarantineIsNotLoggedAsWrittenAsNull) {
  mysql().exec("SET SESSION sql_mode = ''");
  mysql().exec("CREATE TABLE legacy (id INT NOT NULL PRIMARY KEY, born DATETIME NOT NULL, "
               "died DATE NULL)");
  mysql().exec(
      "INSERT INTO legacy VALUES (1, '2020-01-01 00:00:00', NULL), "
      "(2, '0000-00-00 00:00:00', '0000-00-00'), (3, '2021-01-01 00:00:00', '0000-00-00')");
  mysql().exec("SET SESSION sql_mode = DEFAULT");
  write_mapping("tables:\n  - source_table: legacy\n");
  const auto result = run_ok();
  // Row 2 went to the quarantine (its NOT NULL born), so only row 3's zero date was written.
  EXPECT_TRUE(contains(result.output, "column=died zero_dates=1 written as NULL")) << result.output;
  EXPECT_FALSE(contains(result.output, "column=born zero_dates")) << result.output;
  EXPECT_TRUE(contains(result.output, "quarantined=1 column=born reason=\"zero date in a NOT NULL"))
      << result.output;
  EXPECT_EQ(latest("legacy", "zero_dates"), "1");
}

class QuarantinedRows : public TruthfulOutput {
protected:
  // Two rows of two different faults, in a table with a timestamp column whose deletes are
  // compared: the incremental pass and the comparison both meet them.
  void create_and_load() {
    mysql().exec("CREATE TABLE sizes (id INT NOT NULL PRIMARY KEY, n INT, label VARCHAR(20), "
                 "updated_at DATETIME(6) NOT NULL)");
    mysql().exec("INSERT INTO sizes VALUES (1, 1, 'short', NOW(6) - INTERVAL 1 DAY)");
    write_mapping(R"yaml(tables:
  - source_table: sizes
    timestamp_column: updated_at
    deletes: delete
    cast: {n: smallint, label: varchar(8)}
)yaml");
    run_ok();
    mysql().exec("INSERT INTO sizes VALUES (2, 40000, 'short', NOW(6) - INTERVAL 1 SECOND), "
                 "(3, 1, 'much too long', NOW(6) - INTERVAL 1 SECOND)");
    wait_for_next_second(mysql());
  }
};

TEST_F(QuarantinedRows, AreCountedOnceEachWithEveryReasonShown) {
  create_and_load();
  const auto result = run_ok();
  EXPECT_EQ(latest("sizes", "mode"), "incremental+compare");
  EXPECT_EQ(latest("sizes", "quarantined"), "2");
  EXPECT_TRUE(contains(result.output, "quarantined=2 rows in all")) << result.output;
  EXPECT_EQ(occurrences(result.output, "quarantined=1 column="), 2U) << result.output;
  EXPECT_TRUE(contains(result.output, "column=n reason=\"") && contains(result.output, "id=2"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "column=label reason=\"") && contains(result.output, "id=3"))
      << result.output;
}

TEST_F(QuarantinedRows, ValidateChecksumSaysAChunkDiffersBecauseItHoldsThem) {
  create_and_load();
  run_ok();
  const auto checked = migrate("validate --checksum", m_env);
  // Quarantined rows explain the difference: reported, not a mismatch.
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_TRUE(contains(checked.output, "(holds 2 quarantined rows)")) << checked.output;
  EXPECT_TRUE(contains(checked.output, "id=2  in quarantine")) << checked.output;
  EXPECT_TRUE(contains(checked.output, "id=3  in quarantine")) << checked.output;
}

TEST_F(TruthfulOutput, RowsOnlyAComparisonFoundAreToldApartFromTheCursorsRows) {
  mysql().exec("CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, total INT NOT NULL, "
               "modified_date DATETIME NOT NULL)");
  mysql().exec("INSERT INTO orders VALUES (1, 10, NOW() - INTERVAL 1 DAY), "
               "(2, 20, NOW() - INTERVAL 1 DAY)");
  // Written by this test's UTC session: with the zone stated, the cursor stands at the bound and
  // only the comparison can find the forgotten update.
  write_mapping("tables:\n  - source_table: orders\n    timestamp_column: modified_date\n"
                "    deletes: delete\n    timestamp_time_zone: '+00:00'\n");
  run_ok();
  // The application forgets to set modified_date on one update, and sets it on another.
  mysql().exec("UPDATE orders SET total = 11 WHERE id = 1");
  mysql().exec("UPDATE orders SET total = 21, modified_date = NOW() - INTERVAL 1 SECOND "
               "WHERE id = 2");
  wait_for_next_second(mysql());
  const auto result = run_ok();
  EXPECT_EQ(latest("orders", "rows_updated"), "2");
  EXPECT_EQ(latest("orders", "found_by_comparison"), "1");
  EXPECT_TRUE(contains(result.output, "found_by_comparison=1")) << result.output;
  EXPECT_TRUE(contains(result.output, "by compare")) << result.output;
  expect_same_content("orders");
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

class UniqueIndexes : public TruthfulOutput {
protected:
  void create_customers(const std::string& deletes) {
    mysql().exec("CREATE TABLE customers (id INT NOT NULL PRIMARY KEY, email VARCHAR(60) NOT "
                 "NULL, UNIQUE KEY uq_email (email))");
    mysql().exec("INSERT INTO customers VALUES (1, 'ann@example.com'), (2, 'bob@example.com')");
    write_mapping("tables:\n  - source_table: customers\n    indexes: true\n    deletes: " + deletes
                  + "\n");
    run_ok();
  }
};

TEST_F(UniqueIndexes, ASwapOfTwoValuesInOneTransactionSyncs) {
  create_customers("delete");
  MysqlClient swap(*m_settings, name());
  swap.exec("START TRANSACTION");
  swap.exec("UPDATE customers SET email = 'tmp' WHERE id = 1");
  swap.exec("UPDATE customers SET email = 'ann@example.com' WHERE id = 2");
  swap.exec("UPDATE customers SET email = 'bob@example.com' WHERE id = 1");
  swap.exec("COMMIT");
  run_ok();
  run_ok();
  expect_same_content("customers");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 'customers' AND "
                        "indexname = 'customers_uq_email'"),
            "1");
}

TEST_F(UniqueIndexes, ADeletedAndReInsertedValueWithSoftDeletesSyncs) {
  create_customers("soft");
  mysql().exec("DELETE FROM customers WHERE id = 1");
  mysql().exec("INSERT INTO customers VALUES (3, 'ann@example.com')");
  run_ok();
  run_ok();
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM customers WHERE email = 'ann@example.com'"), "2");
  EXPECT_EQ(pg().scalar("SELECT count(*) FROM customers WHERE deleted_at IS NULL"), "2");
}

TEST_F(UniqueIndexes, AUniqueIndexFromAnOlderVersionIsRebuiltWithoutTheConstraint) {
  create_customers("delete");
  pg().exec("DROP INDEX customers_uq_email");
  pg().exec("CREATE UNIQUE INDEX customers_uq_email ON customers (email)");
  mysql().exec("DELETE FROM customers WHERE id = 1");
  mysql().exec("INSERT INTO customers VALUES (3, 'ann@example.com')");
  const auto result = run_ok();
  EXPECT_TRUE(contains(result.output, "rebuilt without UNIQUE")) << result.output;
  expect_same_content("customers");
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

TEST_F(TruthfulOutput, AChangedMappingRewritesTheRowsOnTheNextRun) {
  mysql().exec("CREATE TABLE people (id INT NOT NULL PRIMARY KEY, email VARCHAR(60))");
  mysql().exec("INSERT INTO people VALUES (1, 'Ann@Example.com'), (2, 'BOB@example.com')");
  write_mapping("tables:\n  - source_table: people\n");
  run_ok();
  run_ok();
  ASSERT_EQ(latest("people", "chunks_differing"), "0");
  write_mapping("tables:\n  - source_table: people\n    transformations:\n"
                "      - {column: email, type: lowercase}\n");
  run_ok();
  EXPECT_EQ(latest("people", "rows_updated"), "2");
  EXPECT_EQ(pg().scalar("SELECT string_agg(email, ',' ORDER BY id) FROM people"),
            "ann@example.com,bob@example.com");
  run_ok();
  EXPECT_EQ(latest("people", "chunks_differing"), "0");
}

// MySQL's string functions return NULL for a result longer than max_allowed_packet: the row digest
// hashes each value on its own, so a large value still counts.
TEST_F(TruthfulOutput, AChangeToAValueNearMaxAllowedPacketIsSeen) {
  const auto packet = mysql().scalar("SELECT @@GLOBAL.max_allowed_packet");
  mysql().exec("SET GLOBAL max_allowed_packet = 1048576");
  {
    MysqlClient client(*m_settings, name());
    client.exec("CREATE TABLE docs (id INT NOT NULL PRIMARY KEY, body MEDIUMTEXT)");
    client.exec("INSERT INTO docs VALUES (1, REPEAT('a', 700000))");
  }
  write_mapping("tables:\n  - source_table: docs\n");
  const auto first = migrate();
  {
    MysqlClient client(*m_settings, name());
    client.exec("UPDATE docs SET body = REPEAT('b', 700000) WHERE id = 1");
  }
  const auto second = migrate();
  mysql().exec("SET GLOBAL max_allowed_packet = " + packet);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(latest("docs", "rows_updated"), "1");
  EXPECT_EQ(pg().scalar("SELECT left(body, 3) FROM docs"), "bbb");
}

} // namespace
} // namespace migrate::testing

namespace migrate::testing {
namespace {

TEST_F(TruthfulOutput, RowsLoadedBeforeRowDigestsAreCountedAndFullAddsThem) {
  mysql().exec("CREATE TABLE items (id INT NOT NULL PRIMARY KEY, payload VARCHAR(20), "
               "updated_at DATETIME NOT NULL)");
  mysql().exec("INSERT INTO items VALUES (1, 'a', NOW() - INTERVAL 1 DAY), "
               "(2, 'b', NOW() - INTERVAL 1 DAY)");
  write_mapping("tables:\n  - source_table: items\n    timestamp_column: updated_at\n"
                "    timestamp_time_zone: '+00:00'\n"); // this test's session writes in UTC
  run_ok();
  // As an older version left it: no digests, no seals.
  pg().exec("ALTER TABLE items DROP COLUMN _migrate_digest, DROP COLUMN _migrate_seal");
  run_ok(); // adds the columns; the cursor reads nothing, so the rows keep no digest or seal
  const auto before = migrate("validate --checksum", m_env);
  EXPECT_EQ(before.exit_code, 1) << before.output;
  EXPECT_TRUE(contains(before.output, "2 content differs")) << before.output;
  run_ok("--full");
  run_ok("validate --checksum");
}

} // namespace
} // namespace migrate::testing

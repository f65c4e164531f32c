#include "support/owned_row.hpp"

#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <optional>

using namespace migrate;
using namespace migrate::convert;

namespace {

SourceColumn
column(const std::string& name, const std::string& data_type, const std::string& column_type) {
  SourceColumn c;
  c.name = name;
  c.data_type = data_type;
  c.column_type = column_type;
  c.is_unsigned = column_type.find("unsigned") != std::string::npos;
  c.nullable = name != "id"; // the tables' primary key
  if (data_type == "varchar") {
    c.char_length = 100;
  }
  if (data_type == "bit") {
    c.numeric_precision = std::stoi(column_type.substr(4));
  }
  return c;
}

using Row = migrate::testing::OwnedRow;

class Encoder : public ::testing::Test {
protected:
  void plan(std::vector<SourceColumn> columns) {
    SourceTable table{"t", std::move(columns), {"id"}};
    config::TableMapping mapping;
    mapping.source_table = "t";
    m_plan = plan_table(table, mapping);
  }

  std::string encode(std::vector<std::optional<std::string>> values) {
    RowEncoder encoder(m_plan);
    std::string out = "kept|";
    const Row row(std::move(values));
    const auto rejection = encoder.encode(row.view(), out);
    m_zero_dates = encoder.stats().zero_dates;
    m_rejection = rejection;
    m_key = encoder.render_key(row.view());
    EXPECT_EQ(out.substr(0, 5), "kept|");
    return out.substr(5);
  }

  void transform(std::size_t column, config::TransformKind kind, const std::string& value = {}) {
    config::Transformation t;
    t.kind = kind;
    t.value = value;
    t.country_code = "49";
    t.salt = "pepper";
    m_plan.columns[column].transforms.push_back(t);
  }

  std::optional<Rejection> m_rejection;
  std::string m_key;

  TablePlan m_plan;
  std::uint64_t m_zero_dates = 0;
};

} // namespace

TEST_F(Encoder, WritesOneTabSeparatedLineWithNulls) {
  plan({column("id", "int", "int(11)"), column("name", "varchar", "varchar(100)")});
  EXPECT_EQ(encode({"1", "a\tb"}), "1\ta\\tb\n");
  EXPECT_EQ(encode({"2", std::nullopt}), "2\t\\N\n");
}

TEST_F(Encoder, WritesBooleansFromTinyint1) {
  plan({column("id", "int", "int(11)"), column("active", "tinyint", "tinyint(1)")});
  EXPECT_EQ(encode({"1", "1"}), "1\tt\n");
  EXPECT_EQ(encode({"1", "0"}), "1\tf\n");
}

TEST_F(Encoder, RejectsTinyint1ValuesThatBooleanWouldLoseNamingColumnAndKey) {
  plan({column("id", "int", "int(11)"), column("active", "tinyint", "tinyint(1)")});
  EXPECT_EQ(encode({"42", "7"}), ""); // nothing written
  ASSERT_TRUE(m_rejection.has_value());
  EXPECT_EQ(m_rejection->column, 1U);
  EXPECT_EQ(m_rejection->raw, "7");
  EXPECT_NE(m_rejection->reason.find("neither 0 nor 1"), std::string::npos);
  EXPECT_EQ(m_key, "id=42");
}

TEST_F(Encoder, WritesZeroDatesAsTheConfiguredSentinel) {
  plan({column("id", "int", "int(11)"), column("d", "date", "date")});
  m_plan.zero_date = "0001-01-01";
  EXPECT_EQ(encode({"1", "0000-00-00"}), "1\t0001-01-01\n");
}

TEST_F(Encoder, RejectsZeroDateInNotNullColumn) {
  auto d = column("d", "date", "date");
  d.nullable = false;
  plan({column("id", "int", "int(11)"), d});
  EXPECT_EQ(encode({"1", "0000-00-00"}), "");
  ASSERT_TRUE(m_rejection.has_value());
  EXPECT_NE(m_rejection->reason.find("zero date"), std::string::npos) << m_rejection->reason;
}

TEST_F(Encoder, BadTextPolicies) {
  plan({column("id", "int", "int(11)"), column("t", "varchar", "varchar(100)")});
  const std::string nul("a\0b", 3);
  const std::string invalid("caf\xe9!", 5);
  m_plan.bad_text = config::BadTextPolicy::reject;
  EXPECT_EQ(encode({"1", nul}), "");
  EXPECT_NE(m_rejection->reason.find("NUL"), std::string::npos);
  EXPECT_EQ(encode({"1", invalid}), "");
  EXPECT_NE(m_rejection->reason.find("UTF-8"), std::string::npos);
  m_plan.bad_text = config::BadTextPolicy::strip;
  EXPECT_EQ(encode({"1", nul}), "1\tab\n");
  EXPECT_EQ(encode({"1", invalid}), "1\tcaf!\n");
  m_plan.bad_text = config::BadTextPolicy::replace;
  EXPECT_EQ(encode({"1", nul}),
            "1\ta\xEF\xBF\xBD"
            "b\n");
  EXPECT_EQ(encode({"1", invalid}), "1\tcaf\xEF\xBF\xBD!\n");
}

TEST_F(Encoder, RepairsDoubleEncodedTextAndLeavesCorrectTextAlone) {
  plan({column("id", "int", "int(11)"), column("t", "varchar", "varchar(100)")});
  m_plan.columns[1].fix_double_encoding = true;
  EXPECT_EQ(encode({"1", "Caf\xC3\x83\xC2\xA9"}), "1\tCaf\xC3\xA9\n"); // CafÃ© → Café
  EXPECT_EQ(encode({"1", "Caf\xC3\xA9"}), "1\tCaf\xC3\xA9\n");         // Café stays
  EXPECT_EQ(encode({"1", "plain"}), "1\tplain\n");
  EXPECT_EQ(encode({"1", "\xE2\x82\xAC \xF0\x9F\x98\x80"}), "1\t\xE2\x82\xAC \xF0\x9F\x98\x80\n");
}

TEST_F(Encoder, AppliesTransformationsInOrder) {
  plan({column("id", "int", "int(11)"), column("t", "varchar", "varchar(100)")});
  transform(1, config::TransformKind::trim);
  transform(1, config::TransformKind::uppercase);
  transform(1, config::TransformKind::null_if, "N/A");
  transform(1, config::TransformKind::default_value, "none");
  EXPECT_EQ(encode({"1", "  straße  "}), "1\tSTRAßE\n"); // ß has no one-letter capital
  EXPECT_EQ(encode({"1", "  abc "}), "1\tABC\n");
  EXPECT_EQ(encode({"1", "n/a"}), "1\tnone\n"); // uppercased to N/A, then NULL, then the default
  EXPECT_EQ(encode({"1", std::nullopt}), "1\tnone\n");
}

TEST_F(Encoder, FormatsPhoneNumbersOrQuarantinesThem) {
  plan({column("id", "int", "int(11)"), column("phone", "varchar", "varchar(100)")});
  transform(1, config::TransformKind::format_phone);
  EXPECT_EQ(encode({"1", "030 1234-5678"}), "1\t+493012345678\n");
  EXPECT_EQ(encode({"1", "+1 (415) 555-0100"}), "1\t+14155550100\n");
  EXPECT_EQ(encode({"1", "0044 20 7946 0958"}), "1\t+442079460958\n");
  EXPECT_EQ(encode({"1", "call me"}), "");
  EXPECT_TRUE(m_rejection.has_value());
  m_plan.columns[1].transforms[0].on_error = config::OnError::keep;
  EXPECT_EQ(encode({"1", "call me"}), "1\tcall me\n");
}

TEST_F(Encoder, FormatsOnlyInternationalNumbersWithoutACountryCode) {
  plan({column("id", "int", "int(11)"), column("phone", "varchar", "varchar(100)")});
  transform(1, config::TransformKind::format_phone);
  m_plan.columns[1].transforms[0].country_code.clear();
  EXPECT_EQ(encode({"1", "+49 30 1234-5678"}), "1\t+493012345678\n");
  EXPECT_EQ(encode({"1", "0044 20 7946 0958"}), "1\t+442079460958\n");
  EXPECT_EQ(encode({"1", "030 1234-5678"}), "");
  ASSERT_TRUE(m_rejection.has_value());
  EXPECT_NE(m_rejection->reason.find("no country_code"), std::string::npos) << m_rejection->reason;
  m_plan.columns[1].transforms[0].on_error = config::OnError::keep;
  EXPECT_EQ(encode({"1", "030 1234-5678"}), "1\t030 1234-5678\n");
}

TEST_F(Encoder, MasksWithSaltedSha256OrRedacts) {
  plan({column("id", "int", "int(11)"), column("ssn", "varchar", "varchar(100)")});
  transform(1, config::TransformKind::mask);
  // sha256("pepper" + "123") computed independently with sha256sum.
  EXPECT_EQ(encode({"1", "123"}),
            "1\t7a3477dad66e666bd203b834c54b6dfe8b546bdbc5283462ad14052abfb06600\n");
  m_plan.columns[1].transforms[0].mask = config::MaskMethod::redact;
  EXPECT_EQ(encode({"1", "123"}), "1\t[redacted]\n");
}

TEST_F(Encoder, RejectsValuesTheTargetTypeCannotHoldInsteadOfTruncating) {
  plan({column("id", "int", "int(11)"),
        column("t", "varchar", "varchar(100)"),
        column("n", "int", "int(11)"),
        column("d", "decimal", "decimal(10,3)")});
  m_plan.columns[1].type.pg_type = "varchar(3)";
  m_plan.columns[1].limits = limits_of("varchar(3)");
  m_plan.columns[2].type.pg_type = "smallint";
  m_plan.columns[2].limits = limits_of("smallint");
  m_plan.columns[3].limits = limits_of("numeric(5,2)");
  EXPECT_EQ(encode({"1", "äöü", "32767", "999.50"}), "1\täöü\t32767\t999.50\n");
  EXPECT_EQ(encode({"1", "äöüx", "1", "1.00"}), "");
  EXPECT_NE(m_rejection->reason.find("longer than varchar(3)"), std::string::npos);
  EXPECT_EQ(encode({"1", "a", "32768", "1.00"}), "");
  EXPECT_NE(m_rejection->reason.find("out of range for smallint"), std::string::npos);
  EXPECT_EQ(encode({"1", "a", "1", "1000.00"}), "");
  EXPECT_EQ(encode({"1", "a", "1", "1.005"}), "");
  EXPECT_NE(m_rejection->reason.find("without rounding"), std::string::npos);
}

TEST_F(Encoder, WritesZeroDatesAsNullAndCountsThem) {
  plan({column("id", "int", "int(11)"),
        column("d", "date", "date"),
        column("dt", "datetime", "datetime"),
        column("ts", "timestamp", "timestamp")});
  EXPECT_EQ(encode({"1", "0000-00-00", "2020-00-15 10:00:00", "0000-00-00 00:00:00"}),
            "1\t\\N\t\\N\t\\N\n");
  EXPECT_EQ(m_zero_dates, 3U);
  EXPECT_EQ(encode({"1", "2020-02-29", "2020-02-29 10:00:00.5", "2020-02-29 10:00:00"}),
            "1\t2020-02-29\t2020-02-29 10:00:00.5\t2020-02-29 10:00:00+00\n");
  EXPECT_EQ(m_zero_dates, 0U);
}

TEST_F(Encoder, WritesBinaryAsBytea) {
  plan({column("id", "int", "int(11)"), column("b", "blob", "blob")});
  EXPECT_EQ(encode({"1", std::string("\0\x7f", 2)}), "1\t\\\\x007f\n");
}

TEST_F(Encoder, WritesBitsAsBinaryDigits) {
  plan({column("id", "int", "int(11)"),
        column("flag", "bit", "bit(1)"),
        column("b", "bit", "bit(10)")});
  EXPECT_EQ(encode({"1", std::string("\x01", 1), std::string("\x02\x05", 2)}),
            "1\tt\t1000000101\n");
  EXPECT_EQ(encode({"1", std::string("\x00", 1), std::string("\x00\x00", 2)}),
            "1\tf\t0000000000\n");
}

TEST_F(Encoder, WritesSetsAsArraysAndTimesAsIntervals) {
  plan({column("id", "int", "int(11)"),
        column("s", "set", "set('a','b')"),
        column("t", "time", "time")});
  EXPECT_EQ(encode({"1", "a,b", "-838:59:59"}), "1\t{\"a\",\"b\"}\t-838:59:59\n");
}

TEST_F(Encoder, LowercasesUnicodeText) {
  plan({column("id", "int", "int(11)"), column("email", "varchar", "varchar(100)")});
  transform(1, config::TransformKind::lowercase);
  EXPECT_EQ(encode({"1", "ÉLODIE@Example.COM"}), "1\télodie@example.com\n");
}

TEST(PlanTable, RejectsKeyColumnTheTableLacksNamingTheMappingLine) {
  SourceTable table{"users", {column("id", "int", "int(11)")}, {"id"}};
  config::TableMapping mapping;
  mapping.source_table = "users";
  mapping.primary_key = {"user_id"};
  mapping.primary_key_location = {"config/table_mapping.yaml", 7};
  try {
    plan_table(table, mapping);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::config);
    const std::string message = e.what();
    EXPECT_NE(message.find("config/table_mapping.yaml:7"), std::string::npos) << message;
    EXPECT_NE(message.find("user_id"), std::string::npos) << message;
  }
}

TEST(PlanTable, RejectsTimestampColumnTheTableLacks) {
  SourceTable table{"users", {column("id", "int", "int(11)")}, {"id"}};
  config::TableMapping mapping;
  mapping.source_table = "users";
  mapping.timestamp_column = "updated_at";
  mapping.timestamp_column_location = {"config/table_mapping.yaml", 9};
  try {
    plan_table(table, mapping);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("table_mapping.yaml:9"), std::string::npos) << message;
    EXPECT_NE(message.find("timestamp_column"), std::string::npos) << message;
  }
}

TEST(PlanTable, RejectsUpsertForATableWithoutAnyKey) {
  SourceTable table{"log", {column("msg", "varchar", "varchar(100)")}, {}};
  config::TableMapping mapping;
  mapping.source_table = "log";
  EXPECT_EQ(plan_table(table, mapping).sync, config::SyncMode::replace);
  mapping.sync = config::SyncMode::upsert;
  EXPECT_THROW(plan_table(table, mapping), Error);
}

TEST(PlanTable, RendersEveryColumnAsTheKeyOfAKeylessRow) {
  SourceTable table{
      "log", {column("msg", "varchar", "varchar(100)"), column("n", "int", "int(11)")}, {}};
  config::TableMapping mapping;
  mapping.source_table = "log";
  const auto plan = plan_table(table, mapping);
  RowEncoder encoder(plan);
  const Row row({"hello", std::nullopt});
  EXPECT_EQ(encoder.render_key(row.view()), "msg=hello,n=NULL");
}

TEST_F(Encoder, ExpandsExponentsBeforeCheckingNumericDigits) {
  plan({column("id", "int", "int(11)"), column("f", "double", "double")});
  m_plan.columns[1].type.pg_type = "numeric(10,2)";
  m_plan.columns[1].limits = limits_of("numeric(10,2)");
  EXPECT_EQ(encode({"1", "1.234e+3"}), "1\t1234\n");
  EXPECT_EQ(encode({"1", "1e-7"}), "");
  ASSERT_TRUE(m_rejection.has_value());
  EXPECT_NE(m_rejection->reason.find("without rounding"), std::string::npos);
  EXPECT_EQ(encode({"1", "-2.5E-1"}), "1\t-0.25\n");
  EXPECT_EQ(encode({"1", "-2.5E+0"}), "1\t-2.5\n");
}

TEST_F(Encoder, NeverRepairsBadTextInAKey) {
  auto key = column("code", "varchar", "varchar(100)");
  key.nullable = false;
  SourceTable table{"t", {key, column("v", "varchar", "varchar(100)")}, {"code"}, {}};
  config::TableMapping mapping;
  mapping.source_table = "t";
  m_plan = plan_table(table, mapping);
  m_plan.bad_text = config::BadTextPolicy::strip;
  EXPECT_EQ(encode({std::string("a\0b", 3), std::string("x\0y", 3)}), "");
  EXPECT_EQ(m_rejection->column, 0U);
}

namespace {

std::string plan_error(const SourceTable& table, const config::TableMapping& mapping) {
  try {
    plan_table(table, mapping);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error";
  return {};
}

TEST(PlanTable, RefusesANullableKeyColumnBeforeAnythingIsCreated) {
  auto unique = column("u", "int", "int(11)");
  unique.nullable = true;
  SourceTable table{"t", {column("id", "int", "int(11)"), unique}, {"id"}};
  config::TableMapping mapping;
  mapping.source_table = "t";
  mapping.primary_key = {"u"};
  mapping.primary_key_location = {"config/table_mapping.yaml", 4};
  const auto message = plan_error(table, mapping);
  EXPECT_NE(message.find("table_mapping.yaml:4"), std::string::npos) << message;
  EXPECT_NE(message.find("'u'"), std::string::npos) << message;
  EXPECT_NE(message.find("nullable"), std::string::npos) << message;
}

TEST(PlanTable, RefusesColumnNamesLongerThanPostgresKeepsAndSuggestsRename) {
  const std::string long_name(64, 'c');
  SourceTable table{
      "t", {column("id", "int", "int(11)"), column(long_name, "int", "int(11)")}, {"id"}};
  config::TableMapping mapping;
  mapping.source_table = mapping.target_table = "t";
  const auto message = plan_error(table, mapping);
  EXPECT_NE(message.find("64 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("rename"), std::string::npos) << message;

  config::Transformation rename;
  rename.kind = config::TransformKind::rename;
  rename.column = long_name;
  rename.value = "short_name";
  mapping.transformations.push_back(rename);
  const auto plan = plan_table(table, mapping);
  EXPECT_EQ(plan.columns[1].target_name, "short_name");
}

TEST(PlanTable, CountsBytesNotCharactersInNames) {
  std::string name;
  for (int i = 0; i < 22; ++i) {
    name += "\xc3\xa9"; // é: 44 bytes in 22 characters
  }
  SourceTable fits{"t", {column("id", "int", "int(11)"), column(name, "int", "int(11)")}, {"id"}};
  config::TableMapping mapping;
  mapping.source_table = mapping.target_table = "t";
  EXPECT_NO_THROW(plan_table(fits, mapping));
  SourceTable too_long{
      "t", {column("id", "int", "int(11)"), column(name + name, "int", "int(11)")}, {"id"}};
  EXPECT_NE(plan_error(too_long, mapping).find("88 bytes"), std::string::npos);
}

TEST(FitIdentifier, KeepsShortNamesAndShortensLongOnesStablyAndDistinctly) {
  EXPECT_EQ(fit_identifier("users_idx_email"), "users_idx_email");
  const std::string a = std::string(70, 'a') + "_one";
  const std::string b = std::string(70, 'a') + "_two";
  EXPECT_EQ(fit_identifier(a).size(), k_max_identifier_bytes);
  EXPECT_EQ(fit_identifier(a), fit_identifier(a));
  EXPECT_NE(fit_identifier(a), fit_identifier(b));
  std::string accented;
  for (int i = 0; i < 40; ++i) {
    accented += "\xc3\xa9";
  }
  const auto cut = fit_identifier(accented);
  EXPECT_LE(cut.size(), k_max_identifier_bytes);
  EXPECT_EQ(static_cast<unsigned char>(cut[cut.size() - 10]) & 0xC0U, 0x80U); // é's second byte
}

} // namespace

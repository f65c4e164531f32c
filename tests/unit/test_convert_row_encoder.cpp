#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <optional>

using namespace migrate;
using namespace migrate::convert;

namespace {

SourceColumn column(const std::string& name, const std::string& data_type,
                    const std::string& column_type) {
  SourceColumn c;
  c.name = name;
  c.data_type = data_type;
  c.column_type = column_type;
  c.is_unsigned = column_type.find("unsigned") != std::string::npos;
  if (data_type == "varchar") {
    c.char_length = 100;
  }
  if (data_type == "bit") {
    c.numeric_precision = std::stoi(column_type.substr(4));
  }
  return c;
}

// Builds a RowView over owned values (nullopt = NULL).
class Row {
public:
  explicit Row(std::vector<std::optional<std::string>> values)
      : m_values(std::move(values)) {
    for (const auto& value : m_values) {
      m_pointers.push_back(value ? value->data() : nullptr);
      m_lengths.push_back(value ? value->size() : 0);
    }
  }
  RowView view() const { return RowView{m_pointers.data(), m_lengths.data(), m_values.size()}; }

private:
  std::vector<std::optional<std::string>> m_values;
  std::vector<const char*> m_pointers;
  std::vector<unsigned long> m_lengths;
};

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
    std::string out;
    encoder.encode(Row(std::move(values)).view(), out);
    m_zero_dates = encoder.stats().zero_dates;
    return out;
  }

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

TEST_F(Encoder, RefusesTinyint1ValuesThatBooleanWouldLoseNamingColumnAndKey) {
  plan({column("id", "int", "int(11)"), column("active", "tinyint", "tinyint(1)")});
  try {
    encode({"42", "7"});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.area(), ErrorArea::convert);
    EXPECT_EQ(e.context().column, "active");
    EXPECT_EQ(e.context().primary_key, "id=42");
  }
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
  plan({column("id", "int", "int(11)"), column("flag", "bit", "bit(1)"), column("b", "bit", "bit(10)")});
  EXPECT_EQ(encode({"1", std::string("\x01", 1), std::string("\x02\x05", 2)}), "1\tt\t1000000101\n");
  EXPECT_EQ(encode({"1", std::string("\x00", 1), std::string("\x00\x00", 2)}), "1\tf\t0000000000\n");
}

TEST_F(Encoder, WritesSetsAsArraysAndTimesAsIntervals) {
  plan({column("id", "int", "int(11)"),
        column("s", "set", "set('a','b')"),
        column("t", "time", "time")});
  EXPECT_EQ(encode({"1", "a,b", "-838:59:59"}), "1\t{\"a\",\"b\"}\t-838:59:59\n");
}

TEST_F(Encoder, LowercasesUnicodeText) {
  plan({column("id", "int", "int(11)"), column("email", "varchar", "varchar(100)")});
  m_plan.columns[1].lowercase = true;
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

TEST(PlanTable, RejectsTableWithoutAnyPrimaryKey) {
  SourceTable table{"log", {column("msg", "varchar", "varchar(100)")}, {}};
  config::TableMapping mapping;
  mapping.source_table = "log";
  EXPECT_THROW(plan_table(table, mapping), Error);
}

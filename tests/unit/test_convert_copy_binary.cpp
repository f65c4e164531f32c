#include "support/owned_row.hpp"

#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/row_digest.hpp"
#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

#include <optional>

using namespace migrate;
using namespace migrate::convert;

namespace {

std::string hex(const std::string& bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += k_hex[byte >> 4U];
    out += k_hex[byte & 0xFU];
  }
  return out;
}

// The field's bytes in hex (its length word included), or "refused" with `out` unchanged.
std::string field(BinaryType type, std::string_view text) {
  std::string out = "x";
  if (!append_binary_value(type, text, out)) {
    EXPECT_EQ(out, "x");
    return "refused";
  }
  return hex(out.substr(1));
}

TEST(CopyBinary, IntegersAreBigEndianOfTheColumnsWidthAndOutOfRangeIsRefused) {
  EXPECT_EQ(field(BinaryType::int2, "-2"), "00000002fffe");
  EXPECT_EQ(field(BinaryType::int4, "258"), "0000000400000102");
  EXPECT_EQ(field(BinaryType::int8, "-1"), "00000008ffffffffffffffff");
  EXPECT_EQ(field(BinaryType::int2, "32768"), "refused");
  EXPECT_EQ(field(BinaryType::int4, "1.5"), "refused");
  EXPECT_EQ(field(BinaryType::int4, ""), "refused");
}

// numeric_send: ndigits, weight, sign, dscale, then base-10000 digits aligned on the point.
TEST(CopyBinary, NumericsAreBase10000DigitsAlignedOnTheDecimalPoint) {
  EXPECT_EQ(field(BinaryType::numeric, "123.45"),
            "0000000c"
            "0002"
            "0000"
            "0000"
            "0002"
            "007b"
            "1194");
  EXPECT_EQ(field(BinaryType::numeric, "-0.0015"),
            "0000000a"
            "0001"
            "ffff"
            "4000"
            "0004"
            "000f");
  EXPECT_EQ(field(BinaryType::numeric, "18446744073709551615"),
            "00000012"
            "0005"
            "0004"
            "0000"
            "0000"
            "0734"
            "1a58"
            "02e1"
            "03bb"
            "064f");
  // Zero has no digits and no sign; its scale is kept ("0.00").
  EXPECT_EQ(field(BinaryType::numeric, "-0.00"),
            "00000008"
            "0000"
            "0000"
            "0000"
            "0002");
  // An exponent moves the point and the scale as numeric's text input does.
  EXPECT_EQ(field(BinaryType::numeric, "1.5e-7"),
            "0000000a"
            "0001"
            "fffe"
            "0000"
            "0008"
            "000f");
  EXPECT_EQ(field(BinaryType::numeric, "-1.2E+3"),
            "0000000a"
            "0001"
            "0000"
            "4000"
            "0000"
            "04b0");
  EXPECT_EQ(field(BinaryType::numeric, "1..2"), "refused");
  EXPECT_EQ(field(BinaryType::numeric, "abc"), "refused");
}

TEST(CopyBinary, FloatsAreTheirIeeeBitsAndOverflowIsRefused) {
  EXPECT_EQ(field(BinaryType::float8, "0.1"), "000000083fb999999999999a");
  EXPECT_EQ(field(BinaryType::float8, "-2"), "00000008c000000000000000");
  // MySQL's FLOAT read as a double: the float it was, as PostgreSQL's float4 input rounds it.
  EXPECT_EQ(field(BinaryType::float4, "0.10000000149011612"), "000000043dcccccd");
  EXPECT_EQ(field(BinaryType::float4, "1e39"), "refused");
  EXPECT_EQ(field(BinaryType::float8, "4.9e-324"), "000000080000000000000001"); // subnormal
  EXPECT_EQ(field(BinaryType::float8, "1e999"), "refused");
  EXPECT_EQ(field(BinaryType::float8, "1,5"), "refused");
}

TEST(CopyBinary, DatesAndTimestampsCountFrom2000AndImpossibleDatesAreRefused) {
  EXPECT_EQ(field(BinaryType::date, "2000-01-01"), "0000000400000000");
  EXPECT_EQ(field(BinaryType::date, "1999-12-31"), "00000004ffffffff");
  EXPECT_EQ(field(BinaryType::date, "2020-02-29"), "0000000400001cc4");
  EXPECT_EQ(field(BinaryType::date, "2021-02-29"), "refused");
  EXPECT_EQ(field(BinaryType::date, "2021-13-01"), "refused");
  EXPECT_EQ(field(BinaryType::date, "infinity"), "000000047fffffff");
  EXPECT_EQ(field(BinaryType::timestamp, "2000-01-01 00:00:01.5"), "00000008000000000016e360");
  EXPECT_EQ(field(BinaryType::timestamp, "1999-12-31 23:59:59.999999"), "00000008ffffffffffffffff");
  EXPECT_EQ(field(BinaryType::timestamp, "2000-01-02"), "00000008000000141dd76000");
  EXPECT_EQ(field(BinaryType::timestamp, "2000-01-01 24:00:00"), "refused");
  EXPECT_EQ(field(BinaryType::timestamp, "2000-01-01 00:00:00.1234567"), "refused");
  // A timestamptz's text is a UTC instant: "+00" and nothing else.
  EXPECT_EQ(field(BinaryType::timestamptz, "2000-01-01 00:00:01+00"), "0000000800000000000f4240");
  EXPECT_EQ(field(BinaryType::timestamptz, "2000-01-01 00:00:01"), "refused");
  EXPECT_EQ(field(BinaryType::timestamptz, "2000-01-01 00:00:01+02"), "refused");
}

// MySQL's TIME reaches ±838 hours; interval's text input keeps them all in its time field.
TEST(CopyBinary, IntervalsKeepMySqlsHoursInTheTimeField) {
  EXPECT_EQ(field(BinaryType::interval, "-838:59:59.000000"),
            "00000010"
            "fffffd40c230c640"
            "00000000"
            "00000000");
  EXPECT_EQ(field(BinaryType::interval, "00:00:00.5"),
            "00000010"
            "000000000007a120"
            "00000000"
            "00000000");
  EXPECT_EQ(field(BinaryType::interval, "12:60:00"), "refused");
}

TEST(CopyBinary, TextBooleansBytesBitsAndSets) {
  EXPECT_EQ(field(BinaryType::text, "a\tb"),
            "0000000361"
            "09"
            "62");
  EXPECT_EQ(field(BinaryType::jsonb, "{}"),
            "00000003"
            "01"
            "7b7d");
  EXPECT_EQ(field(BinaryType::boolean, "t"), "0000000101");
  EXPECT_EQ(field(BinaryType::boolean, "FALSE"), "0000000100");
  EXPECT_EQ(field(BinaryType::boolean, "2"), "refused");
  EXPECT_EQ(field(BinaryType::bytea, "\\x00ff"), "0000000200ff");
  EXPECT_EQ(field(BinaryType::bytea, "\\x0g"), "refused");
  EXPECT_EQ(field(BinaryType::varbit, "101"),
            "00000005"
            "00000003"
            "a0");
  EXPECT_EQ(field(BinaryType::varbit, "102"), "refused");
  // array_send: 1 dimension, no NULLs, element type text (25), 2 elements from 1, each a field.
  EXPECT_EQ(field(BinaryType::text_array, "a,bc"),
            "0000001f"
            "00000001"
            "00000000"
            "00000019"
            "00000002"
            "00000001"
            "0000000161"
            "000000026263");
  EXPECT_EQ(field(BinaryType::text_array, ""),
            "0000000c"
            "00000000"
            "00000000"
            "00000019");
}

TEST(CopyBinary, OnlyTheNativePairsOfKindAndTypeAreWrittenInBinary) {
  EXPECT_EQ(binary_type(ValueKind::integer, "bigint"), BinaryType::int8);
  EXPECT_EQ(binary_type(ValueKind::integer, "numeric(20,0)"), BinaryType::numeric);
  EXPECT_EQ(binary_type(ValueKind::datetime, "timestamp(6) without time zone"),
            BinaryType::timestamp);
  EXPECT_EQ(binary_type(ValueKind::timestamp, "timestamp(3) with time zone"),
            BinaryType::timestamptz);
  // A cast to text sends the text form, which binary text holds as it is.
  EXPECT_EQ(binary_type(ValueKind::timestamp, "varchar(40)"), BinaryType::text);
  // A cast to a type whose input would parse the text (other formats than MySQL's): text.
  EXPECT_EQ(binary_type(ValueKind::text, "date"), std::nullopt);
  EXPECT_EQ(binary_type(ValueKind::floating, "numeric(10,2)"), std::nullopt);
  EXPECT_EQ(binary_type(ValueKind::text, "uuid"), std::nullopt);
  EXPECT_EQ(binary_type(ValueKind::set, "text"), std::nullopt);
  EXPECT_EQ(binary_type(TargetColumn{"size", "\"s\".\"t_size\"", false, {"S"}, true}),
            BinaryType::text);
  EXPECT_TRUE(binary_accepts(BinaryType::text, 1043, 'b'));  // varchar
  EXPECT_TRUE(binary_accepts(BinaryType::text, 90001, 'e')); // an enum type
  EXPECT_FALSE(binary_accepts(BinaryType::int4, 20, 'b'));   // a column widened to bigint
  EXPECT_FALSE(binary_accepts(BinaryType::timestamp, 1184, 'b'));
}

SourceColumn column(const std::string& name, const std::string& data_type) {
  SourceColumn c;
  c.name = name;
  c.data_type = data_type;
  c.column_type = data_type;
  c.nullable = name != "id";
  c.datetime_precision = 6;
  return c;
}

TablePlan plan_of(std::vector<SourceColumn> columns, const config::TableMapping& base = {}) {
  config::TableMapping mapping = base;
  mapping.source_table = "t";
  return plan_table(SourceTable{"t", std::move(columns), {"id"}}, mapping);
}

TEST(CopyBinary, ATableIsLoadedInTextWhenOneColumnCannotBeWrittenInBinary) {
  const auto plain = plan_of({column("id", "int"), column("d", "datetime")});
  EXPECT_EQ(copy_format(plain), CopyFormat::binary);
  config::TableMapping mapping;
  mapping.casts = {{"d", "date"}};
  EXPECT_EQ(copy_format(plan_of({column("id", "int"), column("d", "datetime")}, mapping)),
            CopyFormat::text);
  mapping = {};
  mapping.zero_date = "epoch"; // a word only PostgreSQL's text input reads
  EXPECT_EQ(copy_format(plan_of({column("id", "int"), column("d", "datetime")}, mapping)),
            CopyFormat::text);
  mapping.zero_date = "1970-01-01";
  EXPECT_EQ(copy_format(plan_of({column("id", "int"), column("d", "datetime")}, mapping)),
            CopyFormat::binary);
  EXPECT_THROW(RowEncoder(plan_of({column("id", "int"), column("u", "uuid")}), CopyFormat::binary),
               Error);
}

using Row = migrate::testing::OwnedRow;

// A row: its field count (the digest included), each field, and a rejected row writes nothing.
TEST(CopyBinary, TheEncoderWritesARowOpenForItsDigestAndNothingForARejectedRow) {
  auto plan = plan_of({column("id", "int"),
                       column("name", "text"),
                       column("at", "timestamp"),
                       column("blob", "blob"),
                       column("zero", "datetime")});
  RowEncoder encoder(plan, CopyFormat::binary);
  EXPECT_EQ(encoder.format(), CopyFormat::binary);
  std::string out;
  const std::string bytes("\0\xff", 2);
  ASSERT_FALSE(encoder.encode(
      Row({"7", "h\xc3\xa9", "2000-01-01 00:00:01", bytes, "0000-00-00 00:00:00"}).view(), out));
  append_digest(-1, out, CopyFormat::binary);
  EXPECT_EQ(hex(out),
            "0006"             // six fields: five columns and the digest
            "0000000400000007" // integer 7
            "0000000368c3a9"   // text, UTF-8 as it is
            "00000008"
            "00000000000f4240"           // timestamptz: one second after 2000-01-01 UTC
            "0000000200ff"               // bytea, the bytes themselves
            "ffffffff"                   // a zero date: NULL
            "00000008ffffffffffffffff"); // the digest
  EXPECT_EQ(encoder.stats().zero_dates, 1U);
  out = "kept";
  const auto rejection =
      encoder.encode(Row({"8", "bad\xff", std::nullopt, std::nullopt, std::nullopt}).view(), out);
  ASSERT_TRUE(rejection);
  EXPECT_EQ(rejection->column, 1U);
  EXPECT_EQ(out, "kept");
}

} // namespace

// The expected hashes are PostgreSQL 15's own answers (hashtextextended(x, 0),
// hash_record_extended(ROW(x), 0), ...); tests/contract holds the same check against a running
// server for every kind, rows with NULLs among them.
#include "migrate/convert/row_seal.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace migrate::convert;

namespace {

// The hash of `text` written as one binary field of `type`, as a signed bigint prints.
std::int64_t hash_of(BinaryType type, SealKind kind, std::string_view text) {
  std::string out;
  EXPECT_TRUE(append_binary_value(type, text, out)) << text;
  return static_cast<std::int64_t>(seal_hash(kind, std::string_view(out).substr(4)));
}

ColumnPlan column(ValueKind kind, std::string pg_type, int datetime_precision = 0) {
  ColumnPlan plan;
  plan.source.name = "c";
  plan.source.datetime_precision = datetime_precision;
  plan.target_name = "c";
  plan.type = TargetType{kind, std::move(pg_type)};
  return plan;
}

} // namespace

TEST(RowSeal, BytesHashAsPostgresHashesTextOfEveryTailLength) {
  EXPECT_EQ(static_cast<std::int64_t>(pg_hash_bytes("")), -6939563903564495251);
  EXPECT_EQ(static_cast<std::int64_t>(pg_hash_bytes("a")), 3591986179850072241);
  EXPECT_EQ(static_cast<std::int64_t>(pg_hash_bytes("hello world!")), -2866487628948787489);
  EXPECT_EQ(static_cast<std::int64_t>(pg_hash_bytes("hello world!!")), 2407105755976055416);
  EXPECT_EQ(static_cast<std::int64_t>(pg_hash_bytes("Zürich — Ñuñoa")), -5356415924716236972);
  EXPECT_EQ(hash_of(BinaryType::text, SealKind::bytes, "abc"), -6747756470228489321);
  EXPECT_EQ(hash_of(BinaryType::bytea, SealKind::bytes, "\\x00ff10"), 2701127179041872690);
}

TEST(RowSeal, IntegersOfEveryWidthHashAsPostgresDoes) {
  EXPECT_EQ(hash_of(BinaryType::int4, SealKind::int4, "0"), 4154612158245552303);
  EXPECT_EQ(hash_of(BinaryType::int4, SealKind::int4, "-1"), -1888257769727981238);
  EXPECT_EQ(hash_of(BinaryType::int4, SealKind::int4, "42"), 8010225493015854792);
  EXPECT_EQ(hash_of(BinaryType::int2, SealKind::int2, "-7"), -4284878795861022465);
  EXPECT_EQ(hash_of(BinaryType::int8, SealKind::int8, "-9223372036854775808"),
            -9109110466470504941);
  EXPECT_EQ(hash_of(BinaryType::int8, SealKind::int8, "1234567890123"), -6236938892533063859);
  EXPECT_EQ(hash_of(BinaryType::int8, SealKind::int8, "-5"), -9082176226831438310);
  EXPECT_EQ(hash_of(BinaryType::boolean, SealKind::boolean, "t"), -3670598878359251130);
  EXPECT_EQ(hash_of(BinaryType::boolean, SealKind::boolean, "f"), 4154612158245552303);
}

TEST(RowSeal, NumericHashesItsSignificantDigitsAndWeightNotItsSignOrScale) {
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "0"), -1);
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "0.00"), -1);
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "12.50"), 7186537984711441495);
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "-12.5"), 7186537984711441495);
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "10000"), -7507508252608306359);
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "0.0001"), 7507508252608306359);
  EXPECT_EQ(hash_of(BinaryType::numeric, SealKind::numeric, "18446744073709551615"),
            -708838431325105610);
}

TEST(RowSeal, FloatsHashBothZerosAsZeroAndAFloat4AsItsDouble) {
  EXPECT_EQ(hash_of(BinaryType::float8, SealKind::float8, "0"), 0);
  EXPECT_EQ(hash_of(BinaryType::float8, SealKind::float8, "-0"), 0);
  EXPECT_EQ(hash_of(BinaryType::float8, SealKind::float8, "1.5"), 6158159405676898674);
  EXPECT_EQ(hash_of(BinaryType::float8, SealKind::float8, "-Infinity"), 58695627279844080);
  EXPECT_EQ(hash_of(BinaryType::float4, SealKind::float4, "1.5"), 6158159405676898674);
  EXPECT_EQ(hash_of(BinaryType::float4, SealKind::float4, "0.1"), 45699830491884902);
}

TEST(RowSeal, DatesTimestampsAndIntervalsHashTheirCounts) {
  EXPECT_EQ(hash_of(BinaryType::date, SealKind::int4, "2024-02-29"), 8051018284886573209);
  EXPECT_EQ(hash_of(BinaryType::timestamp, SealKind::int8, "2024-01-01 12:34:56.789012"),
            1603131241863514563);
  EXPECT_EQ(hash_of(BinaryType::timestamp, SealKind::int8, "1970-01-01 00:00:00"),
            4905020852221420173);
  EXPECT_EQ(hash_of(BinaryType::timestamptz, SealKind::int8, "2025-01-01 00:00:00+00"),
            7309473437286041011);
  EXPECT_EQ(hash_of(BinaryType::interval, SealKind::interval, "838:59:59.5"), 8201393076432558763);
  EXPECT_EQ(hash_of(BinaryType::interval, SealKind::interval, "-1:00:00"), 344780544451851125);
}

TEST(RowSeal, ARowFoldsItsColumnsAndANullCountsZero) {
  // hash_record_extended(ROW(1::int, 'x'::text, NULL::int, 2.5::numeric), 0)
  std::string row;
  append_binary_row(5, row);
  ASSERT_TRUE(append_binary_value(BinaryType::int4, "1", row));
  ASSERT_TRUE(append_binary_value(BinaryType::text, "x", row));
  append_binary_null(row);
  ASSERT_TRUE(append_binary_value(BinaryType::numeric, "2.5", row));
  append_binary_int8(77, row); // the digest, not sealed
  const std::vector<SealKind> kinds{
      SealKind::int4, SealKind::bytes, SealKind::int4, SealKind::numeric};
  EXPECT_EQ(seal_of_row(kinds, row), -374545095643362120);
}

TEST(RowSeal, OnlyTypesStoredExactlyAsSentAreSealedByTheClient) {
  TablePlan plan;
  plan.columns = {column(ValueKind::integer, "bigint"),
                  column(ValueKind::datetime, "timestamp(6) without time zone", 6),
                  column(ValueKind::text, "varchar(20)")};
  ASSERT_TRUE(seal_kinds(plan));
  EXPECT_EQ(*seal_kinds(plan),
            (std::vector<SealKind>{SealKind::int8, SealKind::int8, SealKind::bytes}));

  // The column keeps fewer fractional digits than MySQL sends: PostgreSQL rounds what it stores.
  plan.columns[1] = column(ValueKind::datetime, "timestamp(0) without time zone", 3);
  EXPECT_FALSE(seal_kinds(plan));
  plan.columns[1] = column(ValueKind::timestamp, "timestamp(0) with time zone", 0);
  EXPECT_TRUE(seal_kinds(plan));

  plan.columns[2] = column(ValueKind::text, "jsonb");
  EXPECT_FALSE(seal_kinds(plan));
  plan.columns[2] = column(ValueKind::set, "text[]");
  EXPECT_FALSE(seal_kinds(plan));
}

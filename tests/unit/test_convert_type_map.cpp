#include "migrate/convert/type_map.hpp"
#include "migrate/core/error.hpp"

#include <gtest/gtest.h>

using namespace migrate;
using namespace migrate::convert;

namespace {

SourceColumn column(const std::string& data_type, const std::string& column_type) {
  SourceColumn c;
  c.name = "c";
  c.data_type = data_type;
  c.column_type = column_type;
  c.is_unsigned = column_type.find("unsigned") != std::string::npos;
  return c;
}

std::string pg(const std::string& data_type, const std::string& column_type) {
  return map_type(column(data_type, column_type)).pg_type;
}

} // namespace

TEST(TypeMap, MapsSignedIntegers) {
  EXPECT_EQ(pg("tinyint", "tinyint(4)"), "smallint");
  EXPECT_EQ(pg("smallint", "smallint(6)"), "smallint");
  EXPECT_EQ(pg("mediumint", "mediumint(9)"), "integer");
  EXPECT_EQ(pg("int", "int(11)"), "integer");
  EXPECT_EQ(pg("bigint", "bigint(20)"), "bigint");
}

TEST(TypeMap, WidensUnsignedIntegersSoEveryValueFits) {
  EXPECT_EQ(pg("tinyint", "tinyint(3) unsigned"), "smallint");
  EXPECT_EQ(pg("smallint", "smallint(5) unsigned"), "integer");
  EXPECT_EQ(pg("mediumint", "mediumint(8) unsigned"), "integer");
  EXPECT_EQ(pg("int", "int(10) unsigned"), "bigint");
  EXPECT_EQ(pg("bigint", "bigint(20) unsigned"), "numeric(20,0)");
}

TEST(TypeMap, MapsTinyint1ToBoolean) {
  const auto type = map_type(column("tinyint", "tinyint(1)"));
  EXPECT_EQ(type.pg_type, "boolean");
  EXPECT_EQ(type.kind, ValueKind::boolean);
}

TEST(TypeMap, MapsAnUnsignedTinyint1AlikeOnEveryServer) {
  // MariaDB and MySQL before 8.0.19 say tinyint(1) unsigned, MySQL 8.0.19+ tinyint unsigned.
  for (const char* column_type : {"tinyint(1) unsigned", "tinyint unsigned"}) {
    auto unsigned_one = column("tinyint", column_type);
    unsigned_one.is_unsigned = true;
    EXPECT_EQ(map_type(unsigned_one).pg_type, "smallint") << column_type;
    EXPECT_EQ(map_type(unsigned_one).kind, ValueKind::integer) << column_type;
  }
}

TEST(TypeMap, MapsDecimalWithPrecisionAndScale) {
  auto c = column("decimal", "decimal(5,2)");
  c.numeric_precision = 5;
  c.numeric_scale = 2;
  EXPECT_EQ(map_type(c).pg_type, "numeric(5,2)");
}

TEST(TypeMap, MapsFloatingPointAndReadsItAsCastPrintsIt) {
  EXPECT_EQ(pg("float", "float"), "real");
  EXPECT_EQ(pg("double", "double"), "double precision");
  // A FLOAT as a double (5.7 lacks AS DOUBLE); both as CAST prints them, which MySQL 9's protocol
  // does not for small doubles.
  EXPECT_EQ(select_expression(column("float", "float"), "`c`"), "CAST((`c` + 0e0) AS CHAR)");
  EXPECT_EQ(select_expression(column("double", "double"), "`c`"), "CAST(`c` AS CHAR)");
}

TEST(TypeMap, MapsDatesAndTimesKeepingFractionalSeconds) {
  auto datetime = column("datetime", "datetime(6)");
  datetime.datetime_precision = 6;
  EXPECT_EQ(map_type(datetime).pg_type, "timestamp(6) without time zone");
  auto timestamp = column("timestamp", "timestamp");
  EXPECT_EQ(map_type(timestamp).pg_type, "timestamp(0) with time zone");
  EXPECT_EQ(pg("date", "date"), "date");
  EXPECT_EQ(pg("time", "time"), "interval");
  EXPECT_EQ(pg("year", "year(4)"), "smallint");
}

TEST(TypeMap, MapsTextKeepingCharacterLengths) {
  auto varchar = column("varchar", "varchar(45)");
  varchar.char_length = 45;
  EXPECT_EQ(map_type(varchar).pg_type, "varchar(45)");
  auto fixed = column("char", "char(2)");
  fixed.char_length = 2;
  EXPECT_EQ(map_type(fixed).pg_type, "varchar(2)");
  EXPECT_EQ(pg("text", "text"), "text");
  EXPECT_EQ(pg("longtext", "longtext"), "text");
}

TEST(TypeMap, MapsBinaryToBytea) {
  for (const auto* type : {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}) {
    EXPECT_EQ(pg(type, type), "bytea") << type;
  }
}

TEST(TypeMap, MapsEnumSetJsonAndGeometry) {
  EXPECT_EQ(pg("enum", "enum('a','b')"), "text");
  EXPECT_EQ(pg("set", "set('a','b')"), "text[]");
  auto json = column("longtext", "longtext");
  json.is_json = true;
  EXPECT_EQ(map_type(json).pg_type, "jsonb");
  EXPECT_EQ(pg("geometry", "geometry"), "text");
  // MariaDB and MySQL 5.7 say geometrycollection, MySQL 8.0 and later geomcollection.
  EXPECT_EQ(pg("geometrycollection", "geometrycollection"), "text");
  EXPECT_EQ(pg("geomcollection", "geomcollection"), "text");
  EXPECT_TRUE(is_geometry_type("geomcollection"));
  EXPECT_EQ(select_expression(column("geometry", "geometry"), "`c`"), "ST_AsText(`c`)");
  EXPECT_EQ(select_expression(column("point", "point"), "`c`", ReadDialect{true}),
            "ST_AsText(`c`, 'axis-order=long-lat')");
}

TEST(TypeMap, MapsBits) {
  auto one = column("bit", "bit(1)");
  one.numeric_precision = 1;
  EXPECT_EQ(map_type(one).pg_type, "boolean");
  auto many = column("bit", "bit(10)");
  many.numeric_precision = 10;
  EXPECT_EQ(map_type(many).pg_type, "bit varying(10)");
}

TEST(TypeMap, RejectsUnknownTypeNamingTheColumn) {
  try {
    map_type(column("vector", "vector(3)"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.context().column, "c");
    EXPECT_NE(std::string(e.what()).find("vector(3)"), std::string::npos);
  }
}

TEST(TypeMap, ParsesEnumValuesWithQuotes) {
  EXPECT_EQ(parse_enum_values("enum('G','PG-13','it''s','')"),
            (std::vector<std::string>{"G", "PG-13", "it's", ""}));
  EXPECT_EQ(parse_enum_values("set('Trailers','Deleted Scenes')"),
            (std::vector<std::string>{"Trailers", "Deleted Scenes"}));
}

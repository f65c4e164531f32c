#include "migrate/convert/type_map.hpp"

#include "migrate/core/error.hpp"

#include <set>

namespace migrate::convert {
namespace {

bool is_one_of(const std::string& value, const std::set<std::string>& names) {
  return names.count(value) != 0;
}

const std::set<std::string> k_geometry_types = {"geometry",
                                                "point",
                                                "linestring",
                                                "polygon",
                                                "multipoint",
                                                "multilinestring",
                                                "multipolygon",
                                                "geometrycollection",
                                                // MySQL 8.0+'s DATA_TYPE for GEOMETRYCOLLECTION
                                                "geomcollection"};

std::string with_fsp(const char* base, int fsp, const char* suffix) {
  return std::string(base) + "(" + std::to_string(fsp) + ")" + suffix;
}

TargetType map_integer(const SourceColumn& c) {
  const auto& t = c.data_type;
  // Only a signed TINYINT(1) is MySQL's BOOLEAN. MySQL 8.0.19+ keeps the display width of the
  // signed one alone (an unsigned one reads `tinyint unsigned`), so an unsigned TINYINT(1) is a
  // small number on every server and version (and may hold 0 to 255).
  if (t == "tinyint" && c.column_type == "tinyint(1)") {
    return {ValueKind::boolean, "boolean"};
  }
  if (t == "tinyint") {
    return {ValueKind::integer, "smallint"};
  }
  if (t == "smallint") {
    return {ValueKind::integer, c.is_unsigned ? "integer" : "smallint"};
  }
  if (t == "mediumint") {
    return {ValueKind::integer, "integer"};
  }
  if (t == "int" || t == "integer") {
    return {ValueKind::integer, c.is_unsigned ? "bigint" : "integer"};
  }
  // bigint: unsigned values reach 18446744073709551615, past PostgreSQL's bigint.
  return {ValueKind::integer, c.is_unsigned ? "numeric(20,0)" : "bigint"};
}

} // namespace

std::vector<std::string> parse_enum_values(const std::string& column_type) {
  std::vector<std::string> values;
  const auto open = column_type.find('(');
  if (open == std::string::npos) {
    return values;
  }
  std::size_t i = open + 1;
  while (i < column_type.size() && column_type[i] == '\'') {
    std::string value;
    ++i;
    while (i < column_type.size()) {
      const char c = column_type[i];
      if (c == '\'' && i + 1 < column_type.size() && column_type[i + 1] == '\'') {
        value += '\'';
        i += 2;
      } else if (c == '\\' && i + 1 < column_type.size()) {
        value += column_type[i + 1];
        i += 2;
      } else if (c == '\'') {
        ++i;
        break;
      } else {
        value += c;
        ++i;
      }
    }
    values.push_back(std::move(value));
    if (i < column_type.size() && column_type[i] == ',') {
      ++i;
    }
  }
  return values;
}

namespace {

std::optional<TargetType> map_number(const SourceColumn& c) {
  const auto& t = c.data_type;
  if (is_one_of(t, {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})) {
    return map_integer(c);
  }
  if (t == "decimal" || t == "numeric") {
    return TargetType{ValueKind::decimal,
                      "numeric(" + std::to_string(c.numeric_precision) + ","
                          + std::to_string(c.numeric_scale) + ")"};
  }
  if (t == "float") {
    return TargetType{ValueKind::floating, "real"};
  }
  if (t == "double" || t == "real") {
    return TargetType{ValueKind::floating, "double precision"};
  }
  if (t == "bit") {
    if (c.numeric_precision <= 1) {
      return TargetType{ValueKind::bit_boolean, "boolean"};
    }
    return TargetType{ValueKind::bit_string,
                      "bit varying(" + std::to_string(c.numeric_precision) + ")"};
  }
  return std::nullopt;
}

std::optional<TargetType> map_temporal(const SourceColumn& c) {
  const auto& t = c.data_type;
  if (t == "date") {
    return TargetType{ValueKind::date, "date"};
  }
  if (t == "datetime") {
    return TargetType{ValueKind::datetime,
                      with_fsp("timestamp", c.datetime_precision, " without time zone")};
  }
  if (t == "timestamp") {
    return TargetType{ValueKind::timestamp,
                      with_fsp("timestamp", c.datetime_precision, " with time zone")};
  }
  if (t == "time") {
    return TargetType{ValueKind::time_interval, "interval"};
  }
  if (t == "year") {
    return TargetType{ValueKind::year, "smallint"};
  }
  return std::nullopt;
}

std::optional<TargetType> map_text_or_bytes(const SourceColumn& c) {
  const auto& t = c.data_type;
  // MySQL CHAR drops trailing spaces when read; PostgreSQL char(n) would pad them back, so the
  // values are kept as they read in varchar(n).
  if ((t == "char" || t == "varchar") && c.char_length) {
    return TargetType{ValueKind::text, "varchar(" + std::to_string(*c.char_length) + ")"};
  }
  if (c.is_json || t == "json") {
    return TargetType{ValueKind::text, "jsonb"};
  }
  if (is_one_of(t, {"tinytext", "text", "mediumtext", "longtext", "enum"})
      || is_one_of(t, k_geometry_types)) {
    return TargetType{ValueKind::text, "text"};
  }
  if (t == "set") {
    return TargetType{ValueKind::set, "text[]"};
  }
  if (is_one_of(t, {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"})) {
    return TargetType{ValueKind::bytes, "bytea"};
  }
  if (t == "uuid") {
    return TargetType{ValueKind::text, "uuid"};
  }
  if (t == "inet4" || t == "inet6") {
    return TargetType{ValueKind::text, "inet"};
  }
  return std::nullopt;
}

} // namespace

TargetType map_type(const SourceColumn& c) {
  for (const auto map : {map_number, map_temporal, map_text_or_bytes}) {
    if (auto type = map(c)) {
      return *type;
    }
  }
  throw Error(ErrorArea::convert,
              "no PostgreSQL type for MySQL type '" + c.column_type + "'",
              ErrorContext{.column = c.name});
}

bool is_geometry_type(const std::string& data_type) {
  return k_geometry_types.count(data_type) != 0;
}

std::string select_expression(const SourceColumn& column,
                              const std::string& quoted_name,
                              const ReadDialect& dialect) {
  // Floating point values are read as MySQL's CAST(... AS CHAR) prints them, the text the row
  // digest's SQL reproduces: MySQL 9's text protocol prints a small double positionally
  // (0.000000000033333333333333335) where CAST prints 3.3333333333333335e-11, both exact. FLOAT
  // is made a double first (the protocol prints a FLOAT with 6 significant digits), by arithmetic
  // rather than CAST(... AS DOUBLE), which MySQL accepts only from 8.0.17.
  if (column.data_type == "float") {
    return "CAST((" + quoted_name + " + 0e0) AS CHAR)";
  }
  if (column.data_type == "double" || column.data_type == "real") {
    return "CAST(" + quoted_name + " AS CHAR)";
  }
  // MySQL 8.0+ writes a geographic SRID's WKT latitude first unless asked otherwise; MariaDB,
  // MySQL 5.7 and PostGIS write longitude first, and know no such option.
  if (is_one_of(column.data_type, k_geometry_types)) {
    return "ST_AsText(" + quoted_name
           + (dialect.axis_order_option ? ", 'axis-order=long-lat')" : ")");
  }
  return quoted_name;
}

} // namespace migrate::convert

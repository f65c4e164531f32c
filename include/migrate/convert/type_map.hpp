// The MySQL → PostgreSQL type mapping, in one place (docs/type-mapping.md is its table).
#pragma once

#include "migrate/core/schema.hpp"

#include <string>
#include <vector>

namespace migrate::convert {

// How a source value's text is turned into COPY text; decided once per column, switched on per
// value.
enum class ValueKind {
  integer,       // digits as MySQL prints them
  boolean,       // tinyint(1) "0"/"1" → f/t; anything else is a conversion error
  bit_boolean,   // bit(1): one raw byte
  bit_string,    // bit(n): raw big-endian bytes → n binary digits
  decimal,       // exact digits
  floating,      // float/double, read as DOUBLE text with 17 significant digits
  text,          // char/varchar/text/enum/json/geometry-as-WKT: escaped
  set,           // "a,b" → {"a","b"}
  bytes,         // binary/varbinary/blob → bytea hex
  date,          // zero or partial-zero dates → NULL
  datetime,      // → timestamp (without time zone), zero dates → NULL
  timestamp,     // read in a UTC session → timestamptz ("+00" appended), zero → NULL
  time_interval, // time, including beyond ±24h → interval
  year,          // → smallint
};

struct TargetType {
  ValueKind kind = ValueKind::text;
  std::string pg_type; // e.g. "numeric(20,0)", "timestamp(6) with time zone"
};

// The values of an ENUM or SET column type, unquoted: enum('a','it''s') → {"a", "it's"}.
std::vector<std::string> parse_enum_values(const std::string& column_type);

// Maps one source column. Throws Error(area convert) for a type it does not know.
TargetType map_type(const SourceColumn& column);

// True for the geometry family (geometry, point, polygon...), read as WKT text.
bool is_geometry_type(const std::string& data_type);

// What the source server's SQL offers beyond what every supported server has, as its probes
// found (ServerProbes).
struct ReadDialect {
  bool axis_order_option = false; // ST_AsText(g, 'axis-order=long-lat'): MySQL 8.0+
};

// The MySQL expression that reads the column in the text form its ValueKind expects: usually the
// column itself, but MariaDB prints FLOAT with ~6 significant digits over the text protocol (so it
// is read as DOUBLE) and sends geometry as WKB (so it is read as WKT, longitude first).
std::string select_expression(const SourceColumn& column,
                              const std::string& quoted_name,
                              const ReadDialect& dialect = {});

} // namespace migrate::convert

// PostgreSQL COPY binary format (https://www.postgresql.org/docs/15/sql-copy.html, "Binary
// Format"; each type's layout is its *_send function in PostgreSQL's source): what a value looks
// like when PostgreSQL stores it as it arrives, with no input function to run.
//
// Only the pairs of source kind and target type in binary_type() are written in binary (the
// mapped types, and casts among them that read the same text), each from the same PostgreSQL text
// form the text format sends, so both formats store the same values. A table with any other
// column (another cast, uuid, inet) is loaded in text.
#pragma once

#include "migrate/convert/table_plan.hpp"
#include "migrate/convert/type_map.hpp"
#include "migrate/core/copy_format.hpp"
#include "migrate/core/schema.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate::convert {

enum class BinaryType {
  int2,
  int4,
  int8,
  numeric,
  float4,
  float8,
  boolean,
  text, // text, varchar, and enum types (whose binary form is the label)
  jsonb,
  bytea,
  date,
  timestamp,
  timestamptz,
  interval,
  text_array,
  varbit,
};

// How a value of `kind` is written for a column of `pg_type` (the plan's type), or nullopt when
// that pair is sent in text.
std::optional<BinaryType> binary_type(ValueKind kind, const std::string& pg_type);

// The same for a target column as the tool creates it (an enum type's column is text).
std::optional<BinaryType> binary_type(const TargetColumn& column);

// The binary type of each of the plan's columns, or nullopt when the table is loaded in text: a
// column binary_type() has none for, a SET column with transformations (they apply to its array
// literal), or a zero_date sentinel that is not a plain date or timestamp.
std::optional<std::vector<BinaryType>> binary_columns(const TablePlan& plan);

// The format the table's rows are best sent in: binary where binary_columns() accepts the plan.
// PostgreSQL's CPU is the limit of a load, and binary halves it (no input function runs).
CopyFormat copy_format(const TablePlan& plan);

// Whether PostgreSQL reads a binary value of `type` into a column of type `type_oid` (pg_type.oid)
// whose pg_type.typtype is `typtype` ('e' for an enum): the type must be exactly the one
// binary_type() chose, since binary input converts nothing.
bool binary_accepts(BinaryType type, std::uint32_t type_oid, char typtype);

// The signature, flags and header extension every binary COPY stream begins with, and the
// field count -1 it may end with.
std::string_view binary_copy_header();
std::string_view binary_copy_trailer();

// A row's field count.
void append_binary_row(std::uint16_t fields, std::string& out);
void append_binary_null(std::string& out);
// A field of `bytes` as they are (text, varchar, enum, bytea).
void append_binary_bytes(std::string_view bytes, std::string& out);
void append_binary_int8(std::int64_t value, std::string& out);

// Appends `text`, the value's PostgreSQL text form, as one field of `type`; false (and `out` as
// it was) when `text` is not a value of that type as the tool writes it: a decimal number for the
// numbers, "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" for dates and timestamps ("+00" after a timestamptz),
// "[-]H:MM:SS[.ffffff]" for an interval, 't'/'f' (or true/false, 1/0, yes/no, on/off) for a
// boolean, binary digits for a bit string, "\x" and hex digits for bytea, and MySQL's
// comma-separated SET value ("a,b", not an array literal) for a text array.
bool append_binary_value(BinaryType type, std::string_view text, std::string& out);

} // namespace migrate::convert

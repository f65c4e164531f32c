// PostgreSQL COPY text format: the escaping rules of
// https://www.postgresql.org/docs/15/sql-copy.html ("Text Format").
#pragma once

#include <string>
#include <string_view>

namespace migrate::convert {

inline constexpr std::string_view k_copy_null = "\\N";

// Appends `value` with backslash, tab, newline and carriage return escaped.
void append_copy_escaped(std::string& out, std::string_view value);

// Appends bytes as a bytea hex literal ("\\x0aff") already escaped for COPY.
void append_copy_bytea(std::string& out, std::string_view bytes);

// Appends a MySQL SET value ("a,b") as a PostgreSQL text[] literal ({"a","b"}) escaped for COPY.
void append_copy_text_array(std::string& out, std::string_view comma_separated);

// Undoes append_copy_escaped for one field (not \N). For tests and diagnostics, not the hot path.
std::string unescape_copy_field(std::string_view field);

} // namespace migrate::convert

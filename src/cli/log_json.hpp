// JSON log lines (--log-format json): each event as one JSON object, with the key=value fields of
// the text line as members, for log shippers. Pure functions, safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace migrate::cli {

struct LogFields {
  std::string message; // the words that are not key=value, joined by single spaces
  std::vector<std::pair<std::string, std::string>> fields; // in order, values unquoted
};

// Splits a log line's text into its words and its key=value fields; a quoted value (see
// quote_field()) is unescaped.
LogFields parse_log_fields(std::string_view text);

// {"time":...,"level":...,"message":...,<fields>}: the message is the words that are not fields,
// or the whole text when every word is one; a value that is a plain number is written as a
// number; a field named time, level or message (or repeated) gets a "_2"-style suffix.
std::string log_json_line(std::string_view time, std::string_view level, std::string_view text);

} // namespace migrate::cli

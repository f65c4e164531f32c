// Text made safe for one-line output: log events, the `status` table, key=value fields.
//
// PostgreSQL errors end in a newline and carry DETAIL:/HINT:/CONTEXT: lines and double-quoted
// identifiers; printed as they are, one event spans several lines and a quoted field ends early, so
// a reader (or grep, or a log shipper) misattributes the rest. The state file keeps the full text;
// these functions shape only what is printed. Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace migrate {

// `text` on one line: each line break (\n, \r\n or \r) becomes " | ", trailing line breaks and
// spaces are dropped, and other control characters (tab included) become a space.
std::string one_line(std::string_view text);

// The first line of `text` (an error: PostgreSQL's DETAIL and HINT follow on their own lines),
// made one line, and at most `max_bytes` long: a longer one is cut at a UTF-8 character and ends
// in "...". 300 keeps a mail line far below SMTP's 998.
std::string first_line(std::string_view text, std::size_t max_bytes = 300);

// `text` as a double-quoted key=value field on one line: one_line(), then every `\` and `"`
// escaped with a backslash, so that the field ends at the first unescaped quote.
std::string quote_field(std::string_view text);

// "1 row", "2 rows": `count` and `noun`, plural with an "s" unless the count is 1.
std::string counted(std::uint64_t count, std::string_view noun);

// The parts with `separator` between them: "a, b, c".
std::string join_text(const std::vector<std::string>& parts, std::string_view separator);

// The lines of `text`, as join_text(lines, "\n") wrote them; none for an empty text.
std::vector<std::string> split_lines(std::string_view text);

} // namespace migrate

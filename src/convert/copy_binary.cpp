#include "migrate/convert/copy_binary.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <type_traits>

namespace migrate::convert {
namespace {

// pg_type.oid of the built-in types (PostgreSQL's catalog/pg_type.dat): fixed across versions.
constexpr std::uint32_t k_bool = 16;
constexpr std::uint32_t k_bytea = 17;
constexpr std::uint32_t k_int8 = 20;
constexpr std::uint32_t k_int2 = 21;
constexpr std::uint32_t k_int4 = 23;
constexpr std::uint32_t k_text = 25;
constexpr std::uint32_t k_float4 = 700;
constexpr std::uint32_t k_float8 = 701;
constexpr std::uint32_t k_text_array = 1009;
constexpr std::uint32_t k_varchar = 1043;
constexpr std::uint32_t k_date = 1082;
constexpr std::uint32_t k_timestamp = 1114;
constexpr std::uint32_t k_timestamptz = 1184;
constexpr std::uint32_t k_interval = 1186;
constexpr std::uint32_t k_varbit = 1562;
constexpr std::uint32_t k_numeric = 1700;
constexpr std::uint32_t k_jsonb = 3802;

constexpr std::int64_t k_usec_per_sec = 1000000;
constexpr std::int64_t k_usec_per_day = 86400 * k_usec_per_sec;
constexpr std::int64_t k_days_1970_to_2000 = 10957; // PostgreSQL counts from 2000-01-01

void put16(std::uint16_t value, std::string& out) {
  const char bytes[2] = {static_cast<char>(value >> 8U), static_cast<char>(value)};
  out.append(bytes, 2);
}

void put32(std::uint32_t value, std::string& out) {
  const char bytes[4] = {static_cast<char>(value >> 24U),
                         static_cast<char>(value >> 16U),
                         static_cast<char>(value >> 8U),
                         static_cast<char>(value)};
  out.append(bytes, 4);
}

void put64(std::uint64_t value, std::string& out) {
  put32(static_cast<std::uint32_t>(value >> 32U), out);
  put32(static_cast<std::uint32_t>(value), out);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The binary type a column of `pg_type` (as the tool writes types) is read in.
std::optional<BinaryType> type_of(const std::string& pg_type) {
  if (pg_type == "text" || starts_with(pg_type, "varchar(")) {
    return BinaryType::text;
  }
  if (pg_type == "smallint") {
    return BinaryType::int2;
  }
  if (pg_type == "integer") {
    return BinaryType::int4;
  }
  if (pg_type == "bigint") {
    return BinaryType::int8;
  }
  if (pg_type == "numeric" || starts_with(pg_type, "numeric(")) {
    return BinaryType::numeric;
  }
  if (pg_type == "real") {
    return BinaryType::float4;
  }
  if (pg_type == "double precision") {
    return BinaryType::float8;
  }
  if (pg_type == "boolean") {
    return BinaryType::boolean;
  }
  if (pg_type == "jsonb") {
    return BinaryType::jsonb;
  }
  if (pg_type == "bytea") {
    return BinaryType::bytea;
  }
  if (pg_type == "date") {
    return BinaryType::date;
  }
  if (starts_with(pg_type, "timestamp(")) {
    return ends_with(pg_type, ") without time zone")
               ? std::optional(BinaryType::timestamp)
               : (ends_with(pg_type, ") with time zone") ? std::optional(BinaryType::timestamptz)
                                                         : std::nullopt);
  }
  if (pg_type == "interval") {
    return BinaryType::interval;
  }
  if (pg_type == "text[]") {
    return BinaryType::text_array;
  }
  if (starts_with(pg_type, "bit varying(")) {
    return BinaryType::varbit;
  }
  return std::nullopt;
}

// Whether the text form of a `kind` value is what `type`'s binary writer reads.
bool reads(BinaryType type, ValueKind kind) {
  switch (type) {
  case BinaryType::text:
    return kind != ValueKind::set && kind != ValueKind::bytes;
  case BinaryType::jsonb:
    return kind == ValueKind::text;
  case BinaryType::int2:
  case BinaryType::int4:
  case BinaryType::int8:
    return kind == ValueKind::integer || kind == ValueKind::year;
  case BinaryType::numeric:
    return kind == ValueKind::integer || kind == ValueKind::year || kind == ValueKind::decimal;
  case BinaryType::float4:
  case BinaryType::float8:
    return kind == ValueKind::floating;
  case BinaryType::boolean:
    return kind == ValueKind::boolean || kind == ValueKind::bit_boolean;
  case BinaryType::bytea:
    return kind == ValueKind::bytes;
  case BinaryType::date:
    return kind == ValueKind::date;
  case BinaryType::timestamp:
    return kind == ValueKind::datetime;
  case BinaryType::timestamptz:
    return kind == ValueKind::timestamp;
  case BinaryType::interval:
    return kind == ValueKind::time_interval;
  case BinaryType::text_array:
    return kind == ValueKind::set;
  case BinaryType::varbit:
    return kind == ValueKind::bit_string;
  }
  return false;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// `count` digits at `text[at]` as a number; false when any is not a digit.
bool digits(std::string_view text, std::size_t at, std::size_t count, int& value) {
  if (at + count > text.size()) {
    return false;
  }
  value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(text[i])) {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible Low-Level
// Date Algorithms", days_from_civil).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

bool is_leap(int year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

// "YYYY-MM-DD" at the start of `text`: days since 2000-01-01.
bool parse_date(std::string_view text, std::int64_t& days) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() < 10 || !digits(text, 0, 4, year) || text[4] != '-' || !digits(text, 5, 2, month)
      || text[7] != '-' || !digits(text, 8, 2, day)) {
    return false;
  }
  static constexpr int k_month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1
      || day > k_month_days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0)) {
    return false;
  }
  days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day))
         - k_days_1970_to_2000;
  return true;
}

// "[.ffffff]" at `text[at]` to the end: microseconds.
bool parse_fraction(std::string_view text, std::size_t at, std::int64_t& micros) {
  micros = 0;
  if (at == text.size()) {
    return true;
  }
  const auto count = text.size() - at - 1;
  if (text[at] != '.' || count == 0 || count > 6) {
    return false;
  }
  int value = 0;
  if (!digits(text, at + 1, count, value)) {
    return false;
  }
  micros = value;
  for (auto i = count; i < 6; ++i) {
    micros *= 10;
  }
  return true;
}

// "HH:MM:SS[.ffffff]" (hours of any length from `at`) to microseconds; minutes and seconds 0-59,
// hours below `max_hours`.
bool parse_clock(std::string_view text, std::size_t at, int max_hours, std::int64_t& micros) {
  const auto colon = text.find(':', at);
  if (colon == std::string_view::npos || colon == at || colon - at > 6) {
    return false;
  }
  int hours = 0;
  int minutes = 0;
  int seconds = 0;
  std::int64_t fraction = 0;
  if (!digits(text, at, colon - at, hours) || !digits(text, colon + 1, 2, minutes)
      || colon + 3 >= text.size() || text[colon + 3] != ':' || !digits(text, colon + 4, 2, seconds)
      || !parse_fraction(text, colon + 6, fraction) || hours >= max_hours || minutes > 59
      || seconds > 59) {
    return false;
  }
  micros = ((static_cast<std::int64_t>(hours) * 60 + minutes) * 60 + seconds) * k_usec_per_sec
           + fraction;
  return true;
}

bool append_date(std::string_view text, std::string& out) {
  std::int64_t days = 0;
  if (text == "infinity" || text == "-infinity") {
    days = text[0] == '-' ? std::numeric_limits<std::int32_t>::min()
                          : std::numeric_limits<std::int32_t>::max();
  } else if (text.size() != 10 || !parse_date(text, days)) {
    return false;
  }
  put32(4, out);
  put32(static_cast<std::uint32_t>(static_cast<std::int32_t>(days)), out);
  return true;
}

// A timestamp's microseconds since 2000-01-01 00:00:00; a timestamptz's text ends in "+00" (UTC).
bool append_timestamp(std::string_view text, bool utc, std::string& out) {
  if (utc) {
    if (!ends_with(text, "+00")) {
      return false;
    }
    text.remove_suffix(3);
  }
  std::int64_t micros = 0;
  if (text == "infinity" || text == "-infinity") {
    micros = text[0] == '-' ? std::numeric_limits<std::int64_t>::min()
                            : std::numeric_limits<std::int64_t>::max();
  } else {
    std::int64_t days = 0;
    std::int64_t clock = 0;
    if (!parse_date(text, days)
        || (text.size() > 10 && (text[10] != ' ' || !parse_clock(text, 11, 24, clock)))) {
      return false;
    }
    micros = days * k_usec_per_day + clock;
  }
  put32(8, out);
  put64(static_cast<std::uint64_t>(micros), out);
  return true;
}

// MySQL's TIME, "[-]H:MM:SS[.ffffff]": all of it in the interval's time field, as interval's
// text input puts it (no days, no months).
bool append_interval(std::string_view text, std::string& out) {
  const bool negative = !text.empty() && text[0] == '-';
  std::int64_t micros = 0;
  if (!parse_clock(text, negative ? 1 : 0, 1000000, micros)) {
    return false;
  }
  put32(16, out);
  put64(static_cast<std::uint64_t>(negative ? -micros : micros), out);
  put32(0, out); // days
  put32(0, out); // months
  return true;
}

template<typename Integer>
bool append_integer(std::string_view text, std::string& out) {
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
  }
  Integer value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return false;
  }
  using Unsigned = std::make_unsigned_t<Integer>;
  const auto bits = static_cast<Unsigned>(value);
  if constexpr (sizeof(Integer) == 2) {
    put32(2, out);
    put16(bits, out);
  } else if constexpr (sizeof(Integer) == 4) {
    put32(4, out);
    put32(bits, out);
  } else {
    put32(8, out);
    put64(bits, out);
  }
  return true;
}

// PostgreSQL's own rule (float4in, float8in): out of range is an error, a subnormal is not.
// std::from_chars rounds correctly, as strtod does, in a fraction of its time and no locale.
template<typename Float>
bool append_float(std::string_view text, std::string& out) {
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
  }
  Float value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return false;
  }
  if constexpr (sizeof(Float) == 4) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, 4);
    put32(4, out);
    put32(bits, out);
  } else {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, 8);
    put32(8, out);
    put64(bits, out);
  }
  return true;
}

// A decimal number, with an exponent or without: its digits and where the point falls among them.
// Held on the stack: numbers are the most common values of a load.
struct Decimal {
  static constexpr std::size_t k_max_digits = 1000;
  bool negative = false;
  char digits[k_max_digits];
  long count = 0;
  long point = 0; // digits before the decimal point (may be negative or past the end)
  long scale = 0; // digits after it, as numeric's text input counts them (its display scale)
};

bool parse_exponent(std::string_view text, long& exponent) {
  if (!text.empty() && text[0] == '+') {
    text.remove_prefix(1);
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), exponent);
  return error == std::errc() && end == text.data() + text.size() && !text.empty()
         && exponent <= 1000 && exponent >= -1000;
}

bool parse_decimal(std::string_view text, Decimal& number) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    number.negative = text[i] == '-';
    ++i;
  }
  long point = -1;
  for (; i < text.size(); ++i) {
    if (is_digit(text[i])) {
      if (number.count == static_cast<long>(Decimal::k_max_digits)) {
        return false;
      }
      number.digits[number.count++] = text[i];
    } else if (text[i] == '.' && point < 0) {
      point = number.count;
    } else {
      break;
    }
  }
  if (number.count == 0) {
    return false;
  }
  number.point = point < 0 ? number.count : point;
  number.scale = number.count - number.point;
  if (i < text.size()) {
    long exponent = 0;
    if ((text[i] != 'e' && text[i] != 'E') || !parse_exponent(text.substr(i + 1), exponent)) {
      return false;
    }
    number.point += exponent;
    number.scale = std::max(0L, number.scale - exponent);
  }
  return true;
}

long floor_div4(long value) {
  return value >= 0 ? value / 4 : -((-value + 3) / 4);
}

// numeric_send's layout: digit count, weight, sign and display scale, then base-10000 digits,
// the first one worth 10000^weight.
bool append_numeric(std::string_view text, std::string& out) {
  Decimal number;
  if (!parse_decimal(text, number)) {
    return false;
  }
  // Digit k is worth 10^(point - 1 - k); groups of four are aligned on the decimal point.
  long weight = floor_div4(number.point - 1);
  const long lowest = floor_div4(number.point - number.count);
  const long total = weight - lowest + 1;
  std::uint16_t groups[Decimal::k_max_digits / 4 + 2];
  std::fill_n(groups, total, std::uint16_t{0});
  for (long k = 0; k < number.count; ++k) {
    const long exponent = number.point - 1 - k;
    const long group = floor_div4(exponent);
    static constexpr std::uint16_t k_place[] = {1, 10, 100, 1000};
    groups[weight - group] +=
        static_cast<std::uint16_t>((number.digits[k] - '0') * k_place[exponent - group * 4]);
  }
  long first = 0;
  while (first < total && groups[first] == 0) {
    ++first;
    --weight;
  }
  long last = total;
  while (last > first && groups[last - 1] == 0) {
    --last;
  }
  const bool zero = first == last;
  put32(static_cast<std::uint32_t>(8 + 2 * (last - first)), out);
  put16(static_cast<std::uint16_t>(last - first), out);
  put16(static_cast<std::uint16_t>(zero ? 0 : weight), out);
  put16(number.negative && !zero ? 0x4000 : 0x0000, out);
  put16(static_cast<std::uint16_t>(number.scale), out);
  for (long i = first; i < last; ++i) {
    put16(groups[i], out);
  }
  return true;
}

bool append_boolean(std::string_view text, std::string& out) {
  std::string lower;
  for (const char c : text) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  bool value = false;
  if (lower == "t" || lower == "true" || lower == "1" || lower == "yes" || lower == "on"
      || lower == "y") {
    value = true;
  } else if (!(lower == "f" || lower == "false" || lower == "0" || lower == "no" || lower == "off"
               || lower == "n")) {
    return false;
  }
  put32(1, out);
  out += value ? '\1' : '\0';
  return true;
}

int hex_value(char c) {
  if (is_digit(c)) {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// bytea's text input: "\x" and hex digits, or bytes without a backslash (its escape format).
bool append_bytea(std::string_view text, std::string& out) {
  if (!starts_with(text, "\\x")) {
    if (text.find('\\') != std::string_view::npos) {
      return false;
    }
    append_binary_bytes(text, out);
    return true;
  }
  const auto hex = text.substr(2);
  if (hex.size() % 2 != 0) {
    return false;
  }
  const auto start = out.size();
  put32(static_cast<std::uint32_t>(hex.size() / 2), out);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = hex_value(hex[i]);
    const int low = hex_value(hex[i + 1]);
    if (high < 0 || low < 0) {
      out.resize(start);
      return false;
    }
    out += static_cast<char>(high * 16 + low);
  }
  return true;
}

bool append_varbit(std::string_view text, std::string& out) {
  const auto start = out.size();
  put32(static_cast<std::uint32_t>(4 + (text.size() + 7) / 8), out);
  put32(static_cast<std::uint32_t>(text.size()), out);
  unsigned char byte = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '0' && text[i] != '1') {
      out.resize(start);
      return false;
    }
    byte = static_cast<unsigned char>(byte | ((text[i] == '1' ? 1U : 0U) << (7 - i % 8)));
    if (i % 8 == 7 || i + 1 == text.size()) {
      out += static_cast<char>(byte);
      byte = 0;
    }
  }
  return true;
}

// array_send's layout for text[]: dimensions, a has-NULLs flag, the element type, each dimension's
// length and lower bound, then each element as a field. MySQL's "" is the empty set: no dimension.
bool append_text_array(std::string_view set, std::string& out) {
  std::size_t elements = set.empty() ? 0 : 1;
  for (const char c : set) {
    elements += c == ',' ? 1 : 0;
  }
  const std::size_t bytes = 12 + (elements == 0 ? 0 : 8) + 4 * elements
                            + (set.size() - (elements == 0 ? 0 : elements - 1));
  put32(static_cast<std::uint32_t>(bytes), out);
  put32(elements == 0 ? 0 : 1, out);
  put32(0, out);
  put32(k_text, out);
  if (elements == 0) {
    return true;
  }
  put32(static_cast<std::uint32_t>(elements), out);
  put32(1, out);
  std::size_t start = 0;
  for (;;) {
    const auto comma = set.find(',', start);
    const auto end = comma == std::string_view::npos ? set.size() : comma;
    append_binary_bytes(set.substr(start, end - start), out);
    if (comma == std::string_view::npos) {
      return true;
    }
    start = comma + 1;
  }
}

} // namespace

std::optional<BinaryType> binary_type(ValueKind kind, const std::string& pg_type) {
  const auto type = type_of(pg_type);
  return type && reads(*type, kind) ? type : std::nullopt;
}

std::optional<BinaryType> binary_type(const TargetColumn& column) {
  return column.enum_type ? std::optional(BinaryType::text) : type_of(column.pg_type);
}

std::optional<std::vector<BinaryType>> binary_columns(const TablePlan& plan) {
  std::vector<BinaryType> types;
  std::string scratch;
  for (const auto& column : plan.columns) {
    const auto type = binary_type(column.type.kind, column.type.pg_type);
    if (!type || (column.type.kind == ValueKind::set && !column.transforms.empty())) {
      return std::nullopt;
    }
    const bool temporal = *type == BinaryType::date || *type == BinaryType::timestamp
                          || *type == BinaryType::timestamptz;
    if (temporal && plan.zero_date
        && !append_binary_value(
            *type, *plan.zero_date + (*type == BinaryType::timestamptz ? "+00" : ""), scratch)) {
      return std::nullopt;
    }
    types.push_back(*type);
  }
  return types;
}

CopyFormat copy_format(const TablePlan& plan) {
  return binary_columns(plan) ? CopyFormat::binary : CopyFormat::text;
}

bool binary_accepts(BinaryType type, std::uint32_t type_oid, char typtype) {
  switch (type) {
  case BinaryType::text:
    return type_oid == k_text || type_oid == k_varchar || typtype == 'e';
  case BinaryType::int2:
    return type_oid == k_int2;
  case BinaryType::int4:
    return type_oid == k_int4;
  case BinaryType::int8:
    return type_oid == k_int8;
  case BinaryType::numeric:
    return type_oid == k_numeric;
  case BinaryType::float4:
    return type_oid == k_float4;
  case BinaryType::float8:
    return type_oid == k_float8;
  case BinaryType::boolean:
    return type_oid == k_bool;
  case BinaryType::jsonb:
    return type_oid == k_jsonb;
  case BinaryType::bytea:
    return type_oid == k_bytea;
  case BinaryType::date:
    return type_oid == k_date;
  case BinaryType::timestamp:
    return type_oid == k_timestamp;
  case BinaryType::timestamptz:
    return type_oid == k_timestamptz;
  case BinaryType::interval:
    return type_oid == k_interval;
  case BinaryType::text_array:
    return type_oid == k_text_array;
  case BinaryType::varbit:
    return type_oid == k_varbit;
  }
  return false;
}

std::string_view binary_copy_header() {
  static constexpr char k_header[] = "PGCOPY\n\377\r\n\0"
                                     "\0\0\0\0"  // flags: no OIDs
                                     "\0\0\0\0"; // no header extension
  return {k_header, sizeof k_header - 1};
}

std::string_view binary_copy_trailer() {
  return {"\377\377", 2};
}

void append_binary_row(std::uint16_t fields, std::string& out) {
  put16(fields, out);
}

void append_binary_null(std::string& out) {
  put32(0xFFFFFFFFU, out);
}

void append_binary_bytes(std::string_view bytes, std::string& out) {
  put32(static_cast<std::uint32_t>(bytes.size()), out);
  out.append(bytes);
}

void append_binary_int8(std::int64_t value, std::string& out) {
  put32(8, out);
  put64(static_cast<std::uint64_t>(value), out);
}

bool append_binary_value(BinaryType type, std::string_view text, std::string& out) {
  switch (type) {
  case BinaryType::text:
    append_binary_bytes(text, out);
    return true;
  case BinaryType::jsonb:
    put32(static_cast<std::uint32_t>(text.size() + 1), out);
    out += '\1'; // jsonb's binary format version
    out.append(text);
    return true;
  case BinaryType::int2:
    return append_integer<std::int16_t>(text, out);
  case BinaryType::int4:
    return append_integer<std::int32_t>(text, out);
  case BinaryType::int8:
    return append_integer<std::int64_t>(text, out);
  case BinaryType::numeric:
    return append_numeric(text, out);
  case BinaryType::float4:
    return append_float<float>(text, out);
  case BinaryType::float8:
    return append_float<double>(text, out);
  case BinaryType::boolean:
    return append_boolean(text, out);
  case BinaryType::bytea:
    return append_bytea(text, out);
  case BinaryType::date:
    return append_date(text, out);
  case BinaryType::timestamp:
  case BinaryType::timestamptz:
    return append_timestamp(text, type == BinaryType::timestamptz, out);
  case BinaryType::interval:
    return append_interval(text, out);
  case BinaryType::text_array:
    return append_text_array(text, out);
  case BinaryType::varbit:
    return append_varbit(text, out);
  }
  return false;
}

} // namespace migrate::convert

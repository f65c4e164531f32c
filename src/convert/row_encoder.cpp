#include "migrate/convert/row_encoder.hpp"

#include "convert/utf8.hpp"

#include "migrate/convert/copy_text.hpp"
#include "migrate/core/error.hpp"

#include <openssl/evp.h>
#include <strings.h>
#include <wctype.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace migrate::convert {
namespace {

using config::TransformKind;

bool same_name(const std::string& a, const std::string& b) {
  return strcasecmp(a.c_str(), b.c_str()) == 0;
}

std::size_t position_of(const std::vector<ColumnPlan>& columns, const std::string& name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (same_name(columns[i].source.name, name)) {
      return i;
    }
  }
  return columns.size();
}

[[noreturn]] void fail_mapping(const config::Location& where, const std::string& what) {
  throw Error(ErrorArea::config, where.to_string() + ": " + what);
}

void check_key_column(const ColumnPlan& column, const config::TableMapping& mapping) {
  const auto& name = column.source.name;
  const auto& where =
      mapping.primary_key_location.line > 0 ? mapping.primary_key_location : mapping.location;
  // Changing a key's value could make two MySQL rows one PostgreSQL row.
  if (!column.transforms.empty()) {
    fail_mapping(column.transforms.front().location,
                 "transformations: '" + name
                     + "' is a key column: changing its values could "
                       "merge distinct rows (only rename applies to keys)");
  }
  if (column.fix_double_encoding) {
    fail_mapping(mapping.fix_encoding_location,
                 "fix_encoding: '" + name
                     + "' is a key column: repairing it could merge "
                       "distinct rows");
  }
  if (column.source.data_type == "set") {
    fail_mapping(where,
                 "primary_key: '" + name + "' is a SET column, which cannot order a key cursor");
  }
  // Checked before anything is created: the key is built after the first load, and a NULL there
  // would leave a table that fails every run.
  if (column.source.nullable) {
    fail_mapping(where,
                 "primary_key: column '" + name + "' of MySQL table '" + mapping.source_table
                     + "' is nullable, and a PostgreSQL primary key cannot hold NULL: name NOT "
                       "NULL columns as primary_key, or make '"
                     + name + "' NOT NULL in MySQL");
  }
}

// PostgreSQL would cut a longer name when creating the table, and every later run would then see
// a column it does not know: refuse before anything is created.
void check_target_names(const TablePlan& plan, const config::TableMapping& mapping) {
  const auto too_long = [](const std::string& name) {
    return name.size() > k_max_identifier_bytes;
  };
  const auto limit = std::to_string(k_max_identifier_bytes);
  if (too_long(mapping.target_table) || too_long(mapping.target_schema)) {
    fail_mapping(mapping.location,
                 "target_table: '" + mapping.target_schema + "." + mapping.target_table
                     + "' has a name longer than PostgreSQL's " + limit
                     + " bytes: set a shorter target_table");
  }
  for (const auto& column : plan.columns) {
    if (column.target_name == k_digest_column) {
      fail_mapping(mapping.location,
                   "column '" + column.target_name + "' of MySQL table '" + mapping.source_table
                       + "' has the name of the column migrate keeps its row digests in: rename "
                         "it with a transformation {column: "
                       + column.source.name + ", type: rename, to: NEW_NAME}");
    }
    if (too_long(column.target_name)) {
      fail_mapping(mapping.location,
                   "column '" + column.target_name + "' of MySQL table '" + mapping.source_table
                       + "' is " + std::to_string(column.target_name.size())
                       + " bytes long, more than PostgreSQL's " + limit
                       + ": give it a shorter name with a transformation {column: "
                       + column.source.name + ", type: rename, to: NEW_NAME}");
    }
  }
  if (too_long(mapping.soft_delete_column)) {
    fail_mapping(mapping.location,
                 "soft_delete_column: '" + mapping.soft_delete_column + "' is longer than " + limit
                     + " bytes");
  }
}

bool is_temporal(ValueKind kind) {
  return kind == ValueKind::date || kind == ValueKind::datetime || kind == ValueKind::timestamp;
}

// MySQL's zero date and dates with a zero part ('2020-00-15') have no PostgreSQL equivalent, nor
// does year 0 (PostgreSQL counts 1 BC, 1 AD).
bool is_zero_date(std::string_view value) {
  if (value.size() < 10) {
    return false;
  }
  return value.substr(0, 4) == "0000" || value.substr(5, 2) == "00" || value.substr(8, 2) == "00";
}

// "1.5e-7" → "0.00000015", "-1.234E+3" → "-1234": the digits a numeric(p,s) check can count.
std::string plain_decimal(const std::string& text) {
  const auto e = text.find_first_of("eE");
  std::string mantissa = text.substr(0, e);
  const int exponent = std::stoi(text.substr(e + 1));
  const bool negative = !mantissa.empty() && mantissa[0] == '-';
  if (!mantissa.empty() && (mantissa[0] == '-' || mantissa[0] == '+')) {
    mantissa.erase(0, 1);
  }
  const auto dot = mantissa.find('.');
  std::string digits = mantissa;
  long point = static_cast<long>(dot == std::string::npos ? mantissa.size() : dot);
  if (dot != std::string::npos) {
    digits.erase(dot, 1);
  }
  point += exponent;
  if (point <= 0) {
    digits.insert(0, static_cast<std::size_t>(-point), '0');
    point = 0;
  }
  if (static_cast<std::size_t>(point) > digits.size()) {
    digits.append(static_cast<std::size_t>(point) - digits.size(), '0');
  }
  std::string out = digits.substr(0, static_cast<std::size_t>(point));
  const std::string fraction = digits.substr(static_cast<std::size_t>(point));
  out = (out.empty() ? "0" : out) + (fraction.empty() ? "" : "." + fraction);
  return negative ? "-" + out : out;
}

std::size_t utf8_length(std::string_view value) {
  std::size_t count = 0;
  for (const char c : value) {
    count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
  }
  return count;
}

void append_bits(std::string_view bytes, int width, std::string& out) {
  // MySQL sends bit(n) as ceil(n/8) big-endian bytes; the value is in the low n bits.
  const auto total = static_cast<int>(bytes.size() * 8);
  for (int bit = total - width; bit < total; ++bit) {
    if (bit < 0) {
      out += '0';
      continue;
    }
    const auto byte = static_cast<unsigned char>(bytes[static_cast<std::size_t>(bit / 8)]);
    out += ((byte >> (7 - bit % 8)) & 1U) != 0 ? '1' : '0';
  }
}

// Removes NUL bytes and invalid sequences (strip) or puts U+FFFD in their place (replace).
void sanitize_text(std::string_view value, bool replace, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < value.size();) {
    const auto b = static_cast<unsigned char>(value[i]);
    std::size_t len = 0;
    if (b == 0) {
      len = 0;
    } else if (b < 0x80U) {
      len = 1;
    } else {
      std::uint32_t cp = 0;
      len = utf8::decode(value, i, cp);
    }
    if (len == 0) {
      if (replace) {
        utf8::encode(0xFFFD, out);
      }
      ++i;
      continue;
    }
    out.append(value.data() + i, len);
    i += len;
  }
}

std::string sha256_hex(const std::string& salt, const std::string& value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  EVP_DigestUpdate(context, salt.data(), salt.size());
  EVP_DigestUpdate(context, value.data(), value.size());
  EVP_DigestFinal_ex(context, digest, &length);
  EVP_MD_CTX_free(context);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += k_hex[digest[i] >> 4U];
    out += k_hex[digest[i] & 0xFU];
  }
  return out;
}

bool is_integer_type(const std::string& pg_type) {
  return pg_type == "smallint" || pg_type == "integer" || pg_type == "bigint";
}

// A cast changes how the value is sent when the new type reads another text form.
ValueKind kind_after_cast(ValueKind kind, const std::string& pg_type) {
  if (kind == ValueKind::boolean && pg_type != "boolean") {
    return ValueKind::integer; // tinyint(1) as its digits
  }
  if (kind == ValueKind::bytes && (pg_type == "text" || pg_type.rfind("varchar", 0) == 0)) {
    return ValueKind::text; // text kept in a binary column by a legacy application
  }
  return kind;
}

} // namespace

bool TargetLimits::any() const {
  return min_integer || max_chars || integer_digits || boolean;
}

TargetLimits limits_of(const std::string& pg_type) {
  TargetLimits limits;
  if (pg_type == "smallint") {
    limits.min_integer = -32768;
    limits.max_integer = 32767;
  } else if (pg_type == "integer") {
    limits.min_integer = INT32_MIN;
    limits.max_integer = INT32_MAX;
  } else if (pg_type == "bigint") {
    limits.min_integer = INT64_MIN;
    limits.max_integer = INT64_MAX;
  } else if (pg_type == "boolean") {
    limits.boolean = true;
  } else if (pg_type.rfind("varchar(", 0) == 0 || pg_type.rfind("char(", 0) == 0) {
    limits.max_chars = std::stoi(pg_type.substr(pg_type.find('(') + 1));
  } else if (pg_type.rfind("numeric(", 0) == 0) {
    const auto open = pg_type.find('(');
    const auto comma = pg_type.find(',');
    const int precision = std::stoi(pg_type.substr(open + 1));
    const int scale = comma == std::string::npos ? 0 : std::stoi(pg_type.substr(comma + 1));
    limits.integer_digits = precision - scale;
    limits.scale = scale;
  }
  return limits;
}

bool ColumnPlan::is_textual() const {
  return type.kind == ValueKind::text;
}

TargetTable TablePlan::target_table(const std::string& schema, const std::string& name) const {
  TargetTable table{schema, name, {}, {}, {}};
  for (const auto& column : columns) {
    TargetColumn target{column.target_name, column.type.pg_type, column.not_null, {}, false};
    if (column.source.data_type == "enum" && column.type.pg_type == "text") {
      target.allowed_values = parse_enum_values(column.source.column_type);
      // '' is MySQL's error value (index 0): old data written in a lax sql_mode holds it.
      if (std::find(target.allowed_values.begin(), target.allowed_values.end(), "")
          == target.allowed_values.end()) {
        target.allowed_values.emplace_back();
      }
      if (enum_as == config::EnumAs::type) {
        target.enum_type = true;
        target.pg_type =
            "\"" + schema + "\".\"" + fit_identifier(name + "_" + column.target_name) + "\"";
      }
    }
    table.columns.push_back(std::move(target));
  }
  table.columns.push_back(TargetColumn{k_digest_column, "bigint", false, {}, false});
  for (const auto position : key_positions) {
    table.primary_key.push_back(columns[position].target_name);
  }
  for (const auto& index : indexes) {
    SourceIndex renamed{index.name, index.unique, {}};
    for (const auto& column_name : index.columns) {
      const auto position = position_of(columns, column_name);
      if (position == columns.size()) {
        break; // a column the mapping excludes: the index cannot be built
      }
      renamed.columns.push_back(columns[position].target_name);
    }
    if (renamed.columns.size() == index.columns.size()) {
      table.indexes.push_back(std::move(renamed));
    }
  }
  return table;
}

TablePlan plan_table(const SourceTable& source, const config::TableMapping& mapping) {
  TablePlan plan;
  plan.bad_text = mapping.bad_text;
  plan.zero_date = mapping.zero_date;
  plan.enum_as = mapping.enum_as;
  plan.where = mapping.where;
  if (mapping.indexes) {
    plan.indexes = source.indexes;
  }
  std::vector<ColumnPlan> all;
  for (const auto& column : source.columns) {
    all.push_back(
        ColumnPlan{column, column.name, map_type(column), {}, false, {}, !column.nullable});
  }
  auto find = [&](const std::string& name, const config::Location& where, const char* what) {
    const auto position = position_of(all, name);
    if (position == all.size()) {
      fail_mapping(where,
                   std::string(what) + ": column '" + name + "' does not exist in MySQL table '"
                       + mapping.source_table + "'");
    }
    return position;
  };
  for (const auto& [name, pg_type] : mapping.casts) {
    auto& column = all[find(name, mapping.casts_location, "cast")];
    const auto kind = column.type.kind;
    if ((kind == ValueKind::decimal || kind == ValueKind::floating) && is_integer_type(pg_type)) {
      // PostgreSQL does not read "1.50" as an integer; numeric(p,0) rounds visibly instead.
      fail_mapping(mapping.casts_location,
                   "cast: '" + name + "' is " + column.source.column_type + ", which " + pg_type
                       + " cannot read; cast to numeric(p,0) instead");
    }
    column.type.kind = kind_after_cast(kind, pg_type);
    column.type.pg_type = pg_type;
  }
  for (const auto& name : mapping.fix_double_encoding) {
    auto& column = all[find(name, mapping.fix_encoding_location, "fix_encoding")];
    if (!column.is_textual()) {
      fail_mapping(mapping.fix_encoding_location,
                   "fix_encoding: '" + name + "' is " + column.source.column_type + ", not text");
    }
    column.fix_double_encoding = true;
  }
  std::vector<bool> excluded(all.size(), false);
  for (const auto& t : mapping.transformations) {
    auto& column = all[find(t.column, t.location, "transformations")];
    if (t.kind == TransformKind::exclude) {
      excluded[position_of(all, t.column)] = true;
    } else if (t.kind == TransformKind::rename) {
      column.target_name = t.value;
    } else if (t.kind == TransformKind::null_if || t.kind == TransformKind::default_value) {
      // Compared with MySQL's own text of the value, which only these kinds keep unchanged.
      const auto kind = column.type.kind;
      if (kind != ValueKind::text && kind != ValueKind::integer && kind != ValueKind::decimal) {
        fail_mapping(t.location,
                     "transformations: null_if and default need a text or number column, '"
                         + t.column + "' is " + column.source.column_type);
      }
      column.transforms.push_back(t);
    } else if (!column.is_textual()) {
      fail_mapping(t.location,
                   "transformations: '" + t.column + "' is " + column.source.column_type
                       + ", the transformation needs text");
    } else {
      column.transforms.push_back(t);
    }
    // A transformation that changes the shape of the value needs room for the new shape, unless
    // the mapping casts the column itself.
    const bool cast = std::any_of(mapping.casts.begin(), mapping.casts.end(), [&](const auto& c) {
      return same_name(c.first, t.column);
    });
    if (!cast) {
      if (t.kind == TransformKind::mask) {
        column.type.pg_type = "text";
      } else if (t.kind == TransformKind::format_phone
                 && column.type.pg_type.rfind("varchar(", 0) == 0
                 && std::stoi(column.type.pg_type.substr(8)) < 16) {
        column.type.pg_type = "varchar(16)"; // '+' and E.164's 15 digits
      }
    }
  }
  // MySQL's own type bounds the values of a column mapped the natural way; only a cast or a
  // transformation that changed the type can meet values the target cannot hold.
  for (auto& column : all) {
    if (column.type.pg_type != map_type(column.source).pg_type) {
      column.limits = limits_of(column.type.pg_type);
    }
  }
  plan.key = choose_key(source, mapping);
  plan.sync = choose_sync_mode(mapping, plan.key);
  const auto& key = plan.key.columns;
  std::vector<std::string> required(key.begin(), key.end());
  for (const auto& name : key) {
    check_key_column(all[find(name, mapping.primary_key_location, "primary_key")], mapping);
  }
  if (mapping.timestamp_column) {
    const auto position =
        find(*mapping.timestamp_column, mapping.timestamp_column_location, "timestamp_column");
    const auto& type = all[position].source.data_type;
    if (type != "timestamp" && type != "datetime" && type != "date") {
      fail_mapping(mapping.timestamp_column_location,
                   "timestamp_column: column '" + *mapping.timestamp_column + "' is " + type
                       + ", not a timestamp, datetime or date");
    }
    required.push_back(*mapping.timestamp_column);
  }
  for (const auto& name : required) {
    if (excluded[position_of(all, name)]) {
      fail_mapping(mapping.location,
                   "transformations: '" + name
                       + "' is a key or timestamp column: it cannot be "
                         "excluded");
    }
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!excluded[i]) {
      plan.columns.push_back(std::move(all[i]));
    }
  }
  for (const auto& name : key) {
    plan.key_positions.push_back(position_of(plan.columns, name));
  }
  if (mapping.timestamp_column) {
    plan.timestamp_position = position_of(plan.columns, *mapping.timestamp_column);
  }
  check_target_names(plan, mapping);
  return plan;
}

RowEncoder::RowEncoder(const TablePlan& plan)
    : m_plan(plan)
    , m_utf8(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
  m_stats.zero_dates_by_column.resize(plan.columns.size());
  m_is_key.resize(plan.columns.size(), false);
  for (const auto position : plan.key_positions) {
    m_is_key[position] = true;
  }
}

RowEncoder::~RowEncoder() {
  if (m_utf8 != nullptr) {
    freelocale(m_utf8);
  }
}

std::optional<Rejection> RowEncoder::encode(const RowView& row, std::string& out) {
  const std::size_t start = out.size();
  // A rejected row writes nothing, so what its values counted is taken back.
  const auto zero_dates = m_stats.zero_dates;
  const auto repaired_encodings = m_stats.repaired_encodings;
  const auto bad_text_fixed = m_stats.bad_text_fixed;
  m_zero_date_columns.clear();
  for (std::size_t i = 0; i < m_plan.columns.size(); ++i) {
    if (i > 0) {
      out += '\t';
    }
    if (!append_value(i, row, out)) {
      out.resize(start);
      m_stats.zero_dates = zero_dates;
      m_stats.repaired_encodings = repaired_encodings;
      m_stats.bad_text_fixed = bad_text_fixed;
      for (const auto column : m_zero_date_columns) {
        --m_stats.zero_dates_by_column[column];
      }
      m_rejection.raw = row.is_null(i) ? std::string() : std::string(row.at(i));
      return m_rejection;
    }
  }
  out += '\n';
  return std::nullopt;
}

bool RowEncoder::reject(std::size_t index, std::string reason) {
  m_rejection.column = index;
  m_rejection.reason = std::move(reason);
  return false;
}

// The fast path writes plain values straight from MySQL's buffer; anything with a rule to apply
// goes through m_value.
bool RowEncoder::append_value(std::size_t index, const RowView& row, std::string& out) {
  const auto& column = m_plan.columns[index];
  const bool plain = column.transforms.empty() && !column.fix_double_encoding;
  if (row.is_null(index) && plain) {
    if (column.not_null) {
      return reject(index, "NULL in a NOT NULL column");
    }
    out += k_copy_null;
    return true;
  }
  const std::string_view raw = row.is_null(index) ? std::string_view() : row.at(index);
  if (plain && !column.limits.any() && append_plain(column.type.kind, raw, out)) {
    return true;
  }
  m_null = row.is_null(index);
  if (!m_null && !convert_value(index, raw)) {
    return false;
  }
  if (!apply_transforms(column)) {
    return reject(index, m_rejection.reason);
  }
  if (m_null) {
    if (column.not_null) {
      return reject(index,
                    is_temporal(column.type.kind) && is_zero_date(raw)
                        ? "zero date in a NOT NULL column (set zero_date: to a sentinel)"
                        : "NULL in a NOT NULL column");
    }
    out += k_copy_null;
    return true;
  }
  if (!check_limits(column)) {
    return reject(index, m_rejection.reason);
  }
  append_copy_escaped(out, m_value);
  return true;
}

// The common case, straight from MySQL's buffer to the COPY line: false when the value needs the
// general path (a zero date, text to check, a boolean that is not 0 or 1).
bool RowEncoder::append_plain(ValueKind kind, std::string_view raw, std::string& out) {
  switch (kind) {
  case ValueKind::integer:
  case ValueKind::decimal:
  case ValueKind::floating:
  case ValueKind::year:
  case ValueKind::time_interval:
    out += raw;
    return true;
  case ValueKind::boolean:
    if (raw.size() == 1 && (raw[0] == '0' || raw[0] == '1')) {
      out += raw[0] == '1' ? 't' : 'f';
      return true;
    }
    return false;
  case ValueKind::date:
  case ValueKind::datetime:
  case ValueKind::timestamp:
    if (is_zero_date(raw)) {
      return false;
    }
    out += raw;
    if (kind == ValueKind::timestamp) {
      out += "+00";
    }
    return true;
  case ValueKind::bytes:
    append_copy_bytea(out, raw);
    return true;
  case ValueKind::text:
    if (is_clean_text(raw)) {
      append_copy_escaped(out, raw);
      return true;
    }
    return false;
  default:
    return false;
  }
}

// Converts MySQL's text of a non-NULL value into the text PostgreSQL reads, in m_value.
bool RowEncoder::convert_value(std::size_t index, std::string_view raw) {
  const auto& column = m_plan.columns[index];
  m_value.clear();
  switch (column.type.kind) {
  case ValueKind::integer:
  case ValueKind::decimal:
  case ValueKind::floating:
  case ValueKind::year:
  case ValueKind::time_interval:
    m_value.assign(raw);
    return true;
  case ValueKind::boolean:
    if (raw == "0" || raw == "1") {
      m_value = raw == "1" ? "t" : "f";
      return true;
    }
    return reject(index,
                  "value " + std::string(raw) + " of " + column.source.column_type
                      + " is neither 0 nor 1 and would be lost as boolean (cast the column)");
  case ValueKind::bit_boolean:
    m_value = (!raw.empty() && raw.back() != '\0') ? "t" : "f";
    return true;
  case ValueKind::bit_string:
    append_bits(raw, column.source.numeric_precision, m_value);
    return true;
  case ValueKind::set: {
    // The array literal is built already escaped for COPY; undo that escaping for m_value.
    std::string literal;
    append_copy_text_array(literal, raw);
    m_value = unescape_copy_field(literal);
    return true;
  }
  case ValueKind::bytes:
    append_copy_bytea(m_scratch, raw);
    m_value = unescape_copy_field(m_scratch);
    m_scratch.clear();
    return true;
  case ValueKind::date:
  case ValueKind::datetime:
  case ValueKind::timestamp:
    if (is_zero_date(raw)) {
      ++m_stats.zero_dates;
      ++m_stats.zero_dates_by_column[index];
      m_zero_date_columns.push_back(index);
      if (!m_plan.zero_date) {
        m_null = true;
        return true;
      }
      m_value = *m_plan.zero_date;
    } else {
      m_value.assign(raw);
    }
    if (column.type.kind == ValueKind::timestamp) {
      m_value += "+00"; // the MySQL session runs in UTC, so TIMESTAMP values are UTC instants
    }
    return true;
  case ValueKind::text:
    m_value.assign(raw);
    if (column.fix_double_encoding && repair_double_encoded(m_value, m_scratch)) {
      m_value.swap(m_scratch);
      ++m_stats.repaired_encodings;
    }
    return check_text(m_value, m_is_key[index]) || reject(index, m_rejection.reason);
  }
  return true;
}

// NUL bytes and invalid UTF-8 under the table's bad_text policy.
bool RowEncoder::check_text(std::string& value, bool key) {
  const bool has_nul = value.find('\0') != std::string::npos;
  const bool valid = is_valid_utf8(value);
  if (!has_nul && valid) {
    return true;
  }
  // Stripping or replacing bytes of a key could make two rows one: a key is never repaired.
  if (m_plan.bad_text == config::BadTextPolicy::reject || key) {
    m_rejection.reason =
        has_nul ? "NUL byte in text (PostgreSQL text cannot hold it)" : "invalid UTF-8 in text";
    return false;
  }
  sanitize_text(value, m_plan.bad_text == config::BadTextPolicy::replace, m_scratch);
  value.swap(m_scratch);
  ++m_stats.bad_text_fixed;
  return true;
}

bool RowEncoder::apply_transforms(const ColumnPlan& column) {
  for (const auto& t : column.transforms) {
    switch (t.kind) {
    case TransformKind::null_if:
      m_null = m_null || m_value == t.value;
      break;
    case TransformKind::default_value:
      if (m_null) {
        m_null = false;
        m_value = t.value;
      }
      break;
    default:
      if (m_null) {
        break;
      }
      if (t.kind == TransformKind::lowercase || t.kind == TransformKind::uppercase) {
        lowercase_or_uppercase(m_value, t.kind == TransformKind::uppercase);
      } else if (t.kind == TransformKind::trim) {
        const auto first = m_value.find_first_not_of(' ');
        const auto last = m_value.find_last_not_of(' ');
        m_value =
            first == std::string::npos ? std::string() : m_value.substr(first, last - first + 1);
      } else if (t.kind == TransformKind::format_phone) {
        if (format_phone(m_value, t.country_code, m_scratch)) {
          m_value.swap(m_scratch);
        } else if (t.on_error == config::OnError::quarantine) {
          m_rejection.reason =
              t.country_code.empty()
                  ? "phone number without + or 00 and no country_code to place it: '" + m_value
                        + "'"
                  : "not a phone number format_phone can read: '" + m_value + "'";
          return false;
        }
      } else if (t.kind == TransformKind::mask) {
        m_value = t.mask == config::MaskMethod::redact ? "[redacted]" : sha256_hex(t.salt, m_value);
      }
    }
  }
  return true;
}

bool RowEncoder::check_limits(const ColumnPlan& column) {
  const auto& limits = column.limits;
  if (limits.integer_digits && m_value.find_first_of("eE") != std::string::npos) {
    m_value = plain_decimal(m_value); // MySQL prints small and large doubles with an exponent
  }
  const auto& value = m_value;
  if (limits.max_chars && value.size() > static_cast<std::size_t>(*limits.max_chars)
      && utf8_length(value) > static_cast<std::size_t>(*limits.max_chars)) {
    m_rejection.reason = "value of " + std::to_string(utf8_length(value))
                         + " characters is longer than " + column.type.pg_type
                         + " (it is not truncated)";
    return false;
  }
  if (limits.min_integer && column.type.kind == ValueKind::integer) {
    std::int64_t parsed = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (error != std::errc() || end != value.data() + value.size() || parsed < *limits.min_integer
        || parsed > *limits.max_integer) {
      m_rejection.reason = "value " + value + " is out of range for " + column.type.pg_type;
      return false;
    }
  }
  if (limits.boolean && column.type.kind == ValueKind::integer && value != "0" && value != "1") {
    m_rejection.reason = "value " + value + " does not fit boolean";
    return false;
  }
  if (limits.integer_digits) {
    const auto start = value.find_first_not_of("-+0");
    const auto point = value.find('.');
    const auto whole = point == std::string::npos ? value.size() : point;
    const auto digits = start == std::string::npos || start >= whole ? 0 : whole - start;
    const auto fraction = point == std::string::npos ? std::string() : value.substr(point + 1);
    const auto significant = fraction.find_last_not_of('0');
    const auto scale = significant == std::string::npos ? 0 : significant + 1;
    if (digits > static_cast<std::size_t>(*limits.integer_digits)
        || scale > static_cast<std::size_t>(limits.scale.value_or(0))) {
      m_rejection.reason =
          "value " + value + " does not fit " + column.type.pg_type + " without rounding";
      return false;
    }
  }
  return true;
}

void RowEncoder::lowercase_or_uppercase(std::string& value, bool upper) {
  m_scratch.clear();
  for (std::size_t i = 0; i < value.size();) {
    std::uint32_t cp = 0;
    const std::size_t len = utf8::decode(value, i, cp);
    if (len == 0) {
      m_scratch += value[i++]; // not UTF-8: leave the byte as it is
      continue;
    }
    const wint_t mapped = m_utf8 == nullptr ? static_cast<wint_t>(cp)
                          : upper           ? towupper_l(static_cast<wint_t>(cp), m_utf8)
                                            : towlower_l(static_cast<wint_t>(cp), m_utf8);
    utf8::encode(static_cast<std::uint32_t>(mapped), m_scratch);
    i += len;
  }
  value.swap(m_scratch);
}

std::string RowEncoder::render_key(const RowView& row) const {
  std::string key;
  const auto append = [&](std::size_t position) {
    if (!key.empty()) {
      key += ',';
    }
    key += m_plan.columns[position].source.name;
    key += '=';
    key += row.is_null(position) ? std::string("NULL") : std::string(row.at(position));
  };
  // Without a key only the whole row tells a quarantined row from another.
  if (m_plan.key_positions.empty()) {
    for (std::size_t i = 0; i < m_plan.columns.size(); ++i) {
      append(i);
    }
  }
  for (const auto position : m_plan.key_positions) {
    append(position);
  }
  return key;
}

} // namespace migrate::convert

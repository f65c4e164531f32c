#include "migrate/convert/row_encoder.hpp"

#include "migrate/convert/copy_text.hpp"
#include "migrate/core/error.hpp"

#include <strings.h>
#include <wctype.h>

namespace migrate::convert {
namespace {

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

// MySQL's zero date and dates with a zero part ('2020-00-15') have no PostgreSQL equivalent, nor
// does year 0 (PostgreSQL counts 1 BC, 1 AD).
bool is_zero_date(std::string_view value) {
  if (value.size() < 10) {
    return false;
  }
  return value.substr(0, 4) == "0000" || value.substr(5, 2) == "00" || value.substr(8, 2) == "00";
}

// Decodes one UTF-8 sequence at `s[i]`; returns its length, or 0 when it is not valid UTF-8.
std::size_t decode_utf8(std::string_view s, std::size_t i, wchar_t& out) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if (b0 < 0x80U) {
    out = static_cast<wchar_t>(b0);
    return 1;
  } else if ((b0 & 0xE0U) == 0xC0U) {
    len = 2;
    cp = b0 & 0x1FU;
  } else if ((b0 & 0xF0U) == 0xE0U) {
    len = 3;
    cp = b0 & 0x0FU;
  } else if ((b0 & 0xF8U) == 0xF0U) {
    len = 4;
    cp = b0 & 0x07U;
  } else {
    return 0;
  }
  if (i + len > s.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0U) != 0x80U) {
      return 0;
    }
    cp = (cp << 6U) | (b & 0x3FU);
  }
  out = static_cast<wchar_t>(cp);
  return len;
}

void encode_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80U) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800U) {
    out += static_cast<char>(0xC0U | (cp >> 6U));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else if (cp < 0x10000U) {
    out += static_cast<char>(0xE0U | (cp >> 12U));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  } else {
    out += static_cast<char>(0xF0U | (cp >> 18U));
    out += static_cast<char>(0x80U | ((cp >> 12U) & 0x3FU));
    out += static_cast<char>(0x80U | ((cp >> 6U) & 0x3FU));
    out += static_cast<char>(0x80U | (cp & 0x3FU));
  }
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

} // namespace

TargetTable TablePlan::target_table(const std::string& schema, const std::string& name) const {
  TargetTable table{schema, name, {}, {}};
  for (const auto& column : columns) {
    TargetColumn target{column.target_name, column.type.pg_type, !column.source.nullable, {}};
    if (column.source.data_type == "enum") {
      target.allowed_values = parse_enum_values(column.source.column_type);
    }
    table.columns.push_back(std::move(target));
  }
  for (const auto position : key_positions) {
    table.primary_key.push_back(columns[position].target_name);
  }
  return table;
}

TablePlan plan_table(const SourceTable& source, const config::TableMapping& mapping) {
  TablePlan plan;
  for (const auto& column : source.columns) {
    plan.columns.push_back(ColumnPlan{column, column.name, map_type(column), false});
  }
  const auto& key = mapping.primary_key.empty() ? source.primary_key : mapping.primary_key;
  if (key.empty()) {
    fail_mapping(mapping.location,
                 "table '" + mapping.source_table +
                     "' has no primary key in MySQL: set primary_key in the mapping");
  }
  for (const auto& name : key) {
    const auto position = position_of(plan.columns, name);
    if (position == plan.columns.size()) {
      fail_mapping(mapping.primary_key_location,
                   "primary_key: column '" + name + "' does not exist in MySQL table '" +
                       mapping.source_table + "'");
    }
    plan.key_positions.push_back(position);
  }
  if (mapping.timestamp_column) {
    const auto position = position_of(plan.columns, *mapping.timestamp_column);
    if (position == plan.columns.size()) {
      fail_mapping(mapping.timestamp_column_location,
                   "timestamp_column: column '" + *mapping.timestamp_column +
                       "' does not exist in MySQL table '" + mapping.source_table + "'");
    }
    const auto& type = plan.columns[position].source.data_type;
    if (type != "timestamp" && type != "datetime" && type != "date") {
      fail_mapping(mapping.timestamp_column_location,
                   "timestamp_column: column '" + *mapping.timestamp_column + "' is " + type +
                       ", not a timestamp, datetime or date");
    }
    plan.timestamp_position = position;
  }
  for (const auto& transformation : mapping.transformations) {
    const auto position = position_of(plan.columns, transformation.column);
    if (position == plan.columns.size()) {
      fail_mapping(transformation.location,
                   "transformations: column '" + transformation.column +
                       "' does not exist in MySQL table '" + mapping.source_table + "'");
    }
    if (plan.columns[position].type.kind != ValueKind::text) {
      fail_mapping(transformation.location,
                   "transformations: lowercase needs a text column, '" + transformation.column +
                       "' is " + plan.columns[position].source.column_type);
    }
    plan.columns[position].lowercase = true;
  }
  return plan;
}

RowEncoder::RowEncoder(const TablePlan& plan)
    : m_plan(plan)
    , m_utf8(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {}

RowEncoder::~RowEncoder() {
  if (m_utf8 != nullptr) {
    freelocale(m_utf8);
  }
}

void RowEncoder::encode(const RowView& row, std::string& out) {
  const std::size_t start = out.size();
  try {
    for (std::size_t i = 0; i < m_plan.columns.size(); ++i) {
      if (i > 0) {
        out += '\t';
      }
      append_value(i, row, out);
    }
  } catch (const Error& e) {
    out.resize(start);
    ErrorContext context = e.context();
    context.primary_key = render_key(row);
    throw Error(e.area(), e.message(), context);
  }
  out += '\n';
}

void RowEncoder::append_value(std::size_t index, const RowView& row, std::string& out) {
  if (row.is_null(index)) {
    out += k_copy_null;
    return;
  }
  const auto& column = m_plan.columns[index];
  const std::string_view value = row.at(index);
  switch (column.type.kind) {
  case ValueKind::integer:
  case ValueKind::decimal:
  case ValueKind::floating:
  case ValueKind::year:
  case ValueKind::time_interval:
    out += value;
    return;
  case ValueKind::boolean:
    if (value == "0" || value == "1") {
      out += value == "1" ? 't' : 'f';
      return;
    }
    throw Error(ErrorArea::convert,
                "value " + std::string(value) + " of " + column.source.column_type +
                    " is neither 0 nor 1 and would be lost as boolean",
                ErrorContext{.column = column.source.name});
  case ValueKind::bit_boolean:
    out += (!value.empty() && value.back() != '\0') ? 't' : 'f';
    return;
  case ValueKind::bit_string:
    append_bits(value, column.source.numeric_precision, out);
    return;
  case ValueKind::text:
    if (column.lowercase) {
      append_lowercase(value, out);
    } else {
      append_copy_escaped(out, value);
    }
    return;
  case ValueKind::set:
    append_copy_text_array(out, value);
    return;
  case ValueKind::bytes:
    append_copy_bytea(out, value);
    return;
  case ValueKind::date:
  case ValueKind::datetime:
  case ValueKind::timestamp:
    if (is_zero_date(value)) {
      ++m_stats.zero_dates;
      out += k_copy_null;
      return;
    }
    out += value;
    if (column.type.kind == ValueKind::timestamp) {
      out += "+00"; // the MySQL session runs in UTC, so TIMESTAMP values are UTC instants
    }
    return;
  }
}

void RowEncoder::append_lowercase(std::string_view value, std::string& out) {
  m_scratch.clear();
  for (std::size_t i = 0; i < value.size();) {
    wchar_t wc = 0;
    const std::size_t len = decode_utf8(value, i, wc);
    if (len == 0) {
      m_scratch += value[i++]; // not UTF-8: leave the byte as it is
      continue;
    }
    const wint_t lower = m_utf8 != nullptr ? towlower_l(static_cast<wint_t>(wc), m_utf8)
                                           : static_cast<wint_t>(wc);
    encode_utf8(static_cast<std::uint32_t>(lower), m_scratch);
    i += len;
  }
  append_copy_escaped(out, m_scratch);
}

std::string RowEncoder::render_key(const RowView& row) const {
  std::string key;
  for (const auto position : m_plan.key_positions) {
    if (!key.empty()) {
      key += ',';
    }
    key += m_plan.columns[position].source.name;
    key += '=';
    key += row.is_null(position) ? std::string("NULL") : std::string(row.at(position));
  }
  return key;
}

} // namespace migrate::convert

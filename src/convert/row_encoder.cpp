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

} // namespace

RowEncoder::RowEncoder(const TablePlan& plan, CopyFormat format, bool seal)
    : m_plan(plan)
    , m_utf8(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
  if (format == CopyFormat::binary) {
    auto types = binary_columns(plan);
    if (!types) {
      throw Error(ErrorArea::internal, "binary COPY asked for a table with a text-only column");
    }
    m_binary = std::move(*types);
  }
  if (seal) {
    auto kinds = m_binary.empty() ? std::nullopt : seal_kinds(plan, m_binary);
    if (!kinds) {
      throw Error(ErrorArea::internal, "a seal asked for rows the client cannot seal");
    }
    m_seal_kinds = std::move(*kinds);
  }
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
  if (!m_binary.empty()) {
    const std::size_t tool_fields = seals() ? 2 : 1; // the digest, and the seal
    append_binary_row(static_cast<std::uint16_t>(m_plan.columns.size() + tool_fields), out);
  }
  for (std::size_t i = 0; i < m_plan.columns.size(); ++i) {
    if (i > 0 && m_binary.empty()) {
      out += '\t';
    }
    if (auto problem = append_value(i, row, out)) {
      out.resize(start);
      m_stats.zero_dates = zero_dates;
      m_stats.repaired_encodings = repaired_encodings;
      m_stats.bad_text_fixed = bad_text_fixed;
      for (const auto column : m_zero_date_columns) {
        --m_stats.zero_dates_by_column[column];
      }
      return Rejection{
          i, std::move(*problem), row.is_null(i) ? std::string() : std::string(row.at(i))};
    }
  }
  if (m_binary.empty()) {
    out += '\n';
  }
  if (seals()) {
    m_seal = seal_of_row(m_seal_kinds, std::string_view(out).substr(start));
  }
  return std::nullopt;
}

void RowEncoder::append_seal(std::string& out) const {
  append_binary_int8(m_seal, out);
}

// The fast path writes plain values straight from MySQL's buffer; anything with a rule to apply
// goes through m_value.
RowEncoder::Problem
RowEncoder::append_value(std::size_t index, const RowView& row, std::string& out) {
  const auto& column = m_plan.columns[index];
  const bool plain = column.transforms.empty() && !column.fix_double_encoding;
  if (row.is_null(index) && plain) {
    if (column.not_null) {
      return "NULL in a NOT NULL column";
    }
    append_null(out);
    return std::nullopt;
  }
  const std::string_view raw = row.is_null(index) ? std::string_view() : row.at(index);
  if (plain && !column.limits.any()
      && (m_binary.empty() ? append_plain(column.type.kind, raw, out)
                           : append_plain_binary(index, raw, out))) {
    return std::nullopt;
  }
  m_null = row.is_null(index);
  if (!m_null) {
    if (auto problem = convert_value(index, raw)) {
      return problem;
    }
  }
  if (auto problem = apply_transforms(column)) {
    return problem;
  }
  if (m_null) {
    if (column.not_null) {
      return is_temporal(column.type.kind) && is_zero_date(raw)
                 ? "zero date in a NOT NULL column (set zero_date: to a sentinel)"
                 : "NULL in a NOT NULL column";
    }
    append_null(out);
    return std::nullopt;
  }
  if (auto problem = check_limits(column)) {
    return problem;
  }
  return append_converted(index, out);
}

void RowEncoder::append_null(std::string& out) const {
  if (m_binary.empty()) {
    out += k_copy_null;
  } else {
    append_binary_null(out);
  }
}

// The converted value in m_value, in the session's format.
RowEncoder::Problem RowEncoder::append_converted(std::size_t index, std::string& out) {
  if (m_binary.empty()) {
    append_copy_escaped(out, m_value);
    return std::nullopt;
  }
  if (!append_binary_value(m_binary[index], m_value, out)) {
    return "value '" + m_value + "' is not a valid " + m_plan.columns[index].type.pg_type;
  }
  return std::nullopt;
}

// append_plain() for the binary format: straight from MySQL's buffer where its text is the
// PostgreSQL text form binary_type() reads; false for the general path.
bool RowEncoder::append_plain_binary(std::size_t index,
                                     std::string_view raw,
                                     std::string& out) const {
  const auto kind = m_plan.columns[index].type.kind;
  const auto type = m_binary[index];
  switch (kind) {
  case ValueKind::boolean:
    if (type == BinaryType::boolean && raw.size() == 1 && (raw[0] == '0' || raw[0] == '1')) {
      append_binary_bytes(raw[0] == '1' ? std::string_view("\1", 1) : std::string_view("\0", 1),
                          out);
      return true;
    }
    return false;
  case ValueKind::date:
  case ValueKind::datetime:
  case ValueKind::timestamp:
    // A timestamptz from the buffer has no "+00" yet: it is read as a timestamp, which is the
    // same microseconds for a UTC instant.
    return type != BinaryType::text && !is_zero_date(raw)
           && append_binary_value(
               type == BinaryType::timestamptz ? BinaryType::timestamp : type, raw, out);
  case ValueKind::bytes:
    if (type != BinaryType::bytea) {
      return false;
    }
    append_binary_bytes(raw, out);
    return true;
  case ValueKind::text:
    return is_clean_text(raw) && append_binary_value(type, raw, out);
  case ValueKind::integer:
  case ValueKind::decimal:
  case ValueKind::floating:
  case ValueKind::year:
  case ValueKind::time_interval:
  case ValueKind::set:
    return append_binary_value(type, raw, out);
  default:
    return false;
  }
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
RowEncoder::Problem RowEncoder::convert_value(std::size_t index, std::string_view raw) {
  const auto& column = m_plan.columns[index];
  m_value.clear();
  switch (column.type.kind) {
  case ValueKind::integer:
  case ValueKind::decimal:
  case ValueKind::floating:
  case ValueKind::year:
  case ValueKind::time_interval:
    m_value.assign(raw);
    return std::nullopt;
  case ValueKind::boolean:
    if (raw == "0" || raw == "1") {
      m_value.assign(1, raw == "1" ? 't' : 'f'); // a char: GCC 12 -O3 warns on the string form
      return std::nullopt;
    }
    return "value " + std::string(raw) + " of " + column.source.column_type
           + " is neither 0 nor 1 and would be lost as boolean (cast the column)";
  case ValueKind::bit_boolean:
    m_value.assign(1, (!raw.empty() && raw.back() != '\0') ? 't' : 'f');
    return std::nullopt;
  case ValueKind::bit_string:
    append_bits(raw, column.source.numeric_precision, m_value);
    return std::nullopt;
  case ValueKind::set: {
    // The array literal is built already escaped for COPY; undo that escaping for m_value.
    std::string literal;
    append_copy_text_array(literal, raw);
    m_value = unescape_copy_field(literal);
    return std::nullopt;
  }
  case ValueKind::bytes:
    append_copy_bytea(m_scratch, raw);
    m_value = unescape_copy_field(m_scratch);
    m_scratch.clear();
    return std::nullopt;
  case ValueKind::date:
  case ValueKind::datetime:
  case ValueKind::timestamp:
    convert_temporal(index, raw);
    return std::nullopt;
  case ValueKind::text:
    m_value.assign(raw);
    if (column.fix_double_encoding && repair_double_encoded(m_value, m_scratch)) {
      m_value.swap(m_scratch);
      ++m_stats.repaired_encodings;
    }
    return check_text(m_value, m_is_key[index]);
  }
  return std::nullopt;
}

// MySQL's zero dates become NULL or the mapping's sentinel, and are counted.
void RowEncoder::convert_temporal(std::size_t index, std::string_view raw) {
  if (is_zero_date(raw)) {
    ++m_stats.zero_dates;
    ++m_stats.zero_dates_by_column[index];
    m_zero_date_columns.push_back(index);
    if (!m_plan.zero_date) {
      m_null = true;
      return;
    }
    m_value = *m_plan.zero_date;
  } else {
    m_value.assign(raw);
  }
  if (m_plan.columns[index].type.kind == ValueKind::timestamp) {
    m_value += "+00"; // the MySQL session runs in UTC, so TIMESTAMP values are UTC instants
  }
}

// NUL bytes and invalid UTF-8 under the table's bad_text policy.
RowEncoder::Problem RowEncoder::check_text(std::string& value, bool key) {
  const bool has_nul = value.find('\0') != std::string::npos;
  const bool valid = is_valid_utf8(value);
  if (!has_nul && valid) {
    return std::nullopt;
  }
  // Stripping or replacing bytes of a key could make two rows one: a key is never repaired.
  if (m_plan.bad_text == config::BadTextPolicy::reject || key) {
    return has_nul ? "NUL byte in text (PostgreSQL text cannot hold it)" : "invalid UTF-8 in text";
  }
  sanitize_text(value, m_plan.bad_text == config::BadTextPolicy::replace, m_scratch);
  value.swap(m_scratch);
  ++m_stats.bad_text_fixed;
  return std::nullopt;
}

RowEncoder::Problem RowEncoder::apply_transforms(const ColumnPlan& column) {
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
          return t.country_code.empty()
                     ? "phone number without + or 00 and no country_code to place it: '" + m_value
                           + "'"
                     : "not a phone number format_phone can read: '" + m_value + "'";
        }
      } else if (t.kind == TransformKind::mask) {
        m_value = t.mask == config::MaskMethod::redact ? "[redacted]" : sha256_hex(t.salt, m_value);
      }
    }
  }
  return std::nullopt;
}

RowEncoder::Problem RowEncoder::check_limits(const ColumnPlan& column) {
  const auto& limits = column.limits;
  if (limits.integer_digits && m_value.find_first_of("eE") != std::string::npos) {
    m_value = plain_decimal(m_value); // MySQL prints small and large doubles with an exponent
  }
  const auto& value = m_value;
  if (limits.max_chars && value.size() > static_cast<std::size_t>(*limits.max_chars)
      && utf8_length(value) > static_cast<std::size_t>(*limits.max_chars)) {
    return "value of " + std::to_string(utf8_length(value)) + " characters is longer than "
           + column.type.pg_type + " (it is not truncated)";
  }
  if (limits.min_integer && column.type.kind == ValueKind::integer) {
    std::int64_t parsed = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (error != std::errc() || end != value.data() + value.size() || parsed < *limits.min_integer
        || parsed > *limits.max_integer) {
      return "value " + value + " is out of range for " + column.type.pg_type;
    }
  }
  if (limits.boolean && column.type.kind == ValueKind::integer && value != "0" && value != "1") {
    return "value " + value + " does not fit boolean";
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
      return "value " + value + " does not fit " + column.type.pg_type + " without rounding";
    }
  }
  return std::nullopt;
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

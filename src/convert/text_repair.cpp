// Text helpers of the conversion: UTF-8 validation, double-encoding repair, phone formatting.
#include "migrate/convert/text_repair.hpp"

#include "convert/byte_words.hpp"
#include "convert/utf8.hpp"

#include <array>

namespace migrate::convert {
namespace {

// cp1252's 0x80-0x9F as Unicode; MySQL's latin1 is cp1252 with the five unassigned bytes mapped
// to the C1 controls of the same number.
constexpr std::array<std::uint32_t, 32> k_cp1252_high = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// The cp1252 byte of a code point, or -1.
int cp1252_byte(std::uint32_t cp) {
  if (cp < 0x80 || (cp >= 0xA0 && cp <= 0xFF)) {
    return static_cast<int>(cp);
  }
  for (std::size_t i = 0; i < k_cp1252_high.size(); ++i) {
    if (k_cp1252_high[i] == cp) {
      return static_cast<int>(0x80 + i);
    }
  }
  return -1;
}

} // namespace

bool is_valid_utf8(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size()) {
    // ASCII runs are the common case.
    if (i + 8 <= value.size() && !words::any_high(words::load(value.data() + i))) {
      i += 8;
      continue;
    }
    if (static_cast<unsigned char>(value[i]) < 0x80U) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const auto len = utf8::decode(value, i, cp);
    if (len == 0) {
      return false;
    }
    i += len;
  }
  return true;
}

bool is_clean_text(std::string_view value) {
  std::size_t i = 0;
  while (i < value.size()) {
    if (i + 8 <= value.size()) {
      const auto word = words::load(value.data() + i);
      if (!words::any_high(word) && !words::any_below(word, 1)) {
        i += 8;
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(value[i]);
    if (byte != 0 && byte < 0x80U) {
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const auto len = byte == 0 ? 0 : utf8::decode(value, i, cp);
    if (len == 0) {
      return false;
    }
    i += len;
  }
  return true;
}

bool repair_double_encoded(std::string_view value, std::string& out) {
  out.clear();
  bool high = false;
  for (std::size_t i = 0; i < value.size();) {
    std::uint32_t cp = 0;
    const auto len = utf8::decode(value, i, cp);
    if (len == 0) {
      return false;
    }
    const int byte = cp1252_byte(cp);
    if (byte < 0) {
      return false; // a character latin1 cannot have produced: not double-encoded
    }
    high = high || byte >= 0x80;
    out += static_cast<char>(byte);
    i += len;
  }
  // Correct text ("Café") turns into invalid UTF-8 here and is left alone.
  return high && is_valid_utf8(out);
}

bool format_phone(std::string_view value, const std::string& country_code, std::string& out) {
  std::string digits;
  bool plus = false;
  for (const char c : value) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c == '+' && digits.empty()) {
      plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')' && c != '/') {
      return false; // letters or extensions: not a number we can vouch for
    }
  }
  out.assign(1, '+');
  if (plus) {
    out.append(digits);
  } else if (digits.rfind("00", 0) == 0) {
    out.append(digits, 2); // international prefix
  } else if (country_code.empty()) {
    return false; // a national number, and no country to place it in
  } else if (digits.rfind('0', 0) == 0) {
    out.append(country_code).append(digits, 1); // national trunk prefix
  } else {
    out.append(country_code).append(digits);
  }
  const auto length = out.size() - 1;
  return length >= 8 && length <= 15; // E.164 allows at most 15 digits
}

} // namespace migrate::convert

// Text checks and repairs of the encoder (convert/text_repair.cpp).
#pragma once

#include <string>
#include <string_view>

namespace migrate::convert {

// Repairs UTF-8 that was stored through a latin1 (cp1252) connection: "CafÃ©" → "Café". Returns
// false, leaving `out` unspecified, when `value` is not such text (then it is left as it is).
bool repair_double_encoded(std::string_view value, std::string& out);

// True when `value` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view value);

// True when `value` is well-formed UTF-8 without NUL bytes: text PostgreSQL can hold as it is.
bool is_clean_text(std::string_view value);

// E.164: "+<country><number>". Numbers written with + or 00 carry their country; the others take
// `country_code` (empty: none, so they fail). False when the digits cannot make a plausible number.
bool format_phone(std::string_view value, const std::string& country_code, std::string& out);

} // namespace migrate::convert

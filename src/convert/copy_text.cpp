#include "migrate/convert/copy_text.hpp"

#include "convert/byte_words.hpp"

#include <algorithm>

namespace migrate::convert {

namespace {

const char* copy_escape(char c) {
  switch (c) {
  case '\\':
    return "\\\\";
  case '\t':
    return "\\t";
  case '\n':
    return "\\n";
  case '\r':
    return "\\r";
  default:
    return nullptr;
  }
}

// Whether none of the eight bytes at `p` is one COPY escapes (all four are below 0x0E or '\\').
bool plain_word(const char* p) {
  const auto word = words::load(p);
  return !words::any_below(word, 0x0E) && !words::any_equal(word, '\\');
}

} // namespace

void append_copy_escaped(std::string& out, std::string_view value) {
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < value.size()) {
    if (i + 8 <= value.size() && plain_word(value.data() + i)) {
      i += 8;
      continue;
    }
    const auto end = std::min(i + 8, value.size());
    for (; i < end; ++i) {
      if (const char* escape = copy_escape(value[i])) {
        out.append(value.data() + start, i - start);
        out.append(escape, 2);
        start = i + 1;
      }
    }
  }
  out.append(value.data() + start, value.size() - start);
}

void append_copy_bytea(std::string& out, std::string_view bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  const std::size_t start = out.size();
  out.resize(start + 3 + 2 * bytes.size());
  char* p = out.data() + start;
  *p++ = '\\'; // COPY turns "\\x" into the "\x" that bytea's hex input expects
  *p++ = '\\';
  *p++ = 'x';
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    *p++ = k_hex[byte >> 4U];
    *p++ = k_hex[byte & 0xfU];
  }
}

void append_copy_text_array(std::string& out, std::string_view comma_separated) {
  out += '{';
  std::size_t start = 0;
  bool first = true;
  while (!comma_separated.empty() && start <= comma_separated.size()) {
    std::size_t end = comma_separated.find(',', start);
    if (end == std::string_view::npos) {
      end = comma_separated.size();
    }
    if (!first) {
      out += ',';
    }
    first = false;
    out += '"';
    for (const char c : comma_separated.substr(start, end - start)) {
      // Array literal escapes " and \ with a backslash; COPY then doubles every backslash.
      if (c == '"') {
        out += "\\\\\"";
      } else if (c == '\\') {
        out += "\\\\\\\\";
      } else {
        append_copy_escaped(out, std::string_view(&c, 1));
      }
    }
    out += '"';
    start = end + 1;
  }
  out += '}';
}

std::string unescape_copy_field(std::string_view field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    const char next = field[++i];
    switch (next) {
    case 't':
      out += '\t';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    default:
      out += next;
    }
  }
  return out;
}

} // namespace migrate::convert

#include "cli/log_json.hpp"

#include "migrate/core/json_writer.hpp"
#include "migrate/core/log_text.hpp"

#include <cctype>
#include <cstdint>
#include <set>
#include <stdexcept>

namespace migrate::cli {
namespace {

bool key_char(char c, bool first) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) != 0 || c == '_' || (!first && (std::isdigit(u) != 0 || c == '.'));
}

// The length of "key=" at the start of `text`, or 0.
std::size_t key_length(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && key_char(text[i], i == 0)) {
    ++i;
  }
  return i > 0 && i < text.size() && text[i] == '=' ? i : 0;
}

// A quoted value from just after its opening quote; `used` counts the closing quote too.
std::string unquote(std::string_view text, std::size_t& used) {
  std::string out;
  std::size_t i = 0;
  for (; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      ++i;
    }
    out += text[i];
  }
  used = i < text.size() ? i + 1 : i;
  return out;
}

bool plain_number(const std::string& value) {
  std::size_t i = value.size() > 1 && value[0] == '-' ? 1 : 0;
  if (i >= value.size() || (value[i] == '0' && i + 1 < value.size() && value[i + 1] != '.')) {
    return false;
  }
  bool dot = false;
  bool digit_after_dot = false;
  for (; i < value.size(); ++i) {
    if (value[i] == '.' && !dot) {
      dot = true;
    } else if (std::isdigit(static_cast<unsigned char>(value[i])) != 0) {
      digit_after_dot = dot;
    } else {
      return false;
    }
  }
  return !dot || digit_after_dot;
}

void write_value(JsonWriter& json, const std::string& value) {
  if (!plain_number(value)) {
    json.value(value);
    return;
  }
  try {
    if (value.find('.') == std::string::npos) {
      json.value(static_cast<std::int64_t>(std::stoll(value)));
    } else {
      json.value(std::stod(value));
    }
  } catch (const std::out_of_range&) {
    json.value(value); // too large for a number a reader would parse exactly
  }
}

} // namespace

LogFields parse_log_fields(std::string_view text) {
  LogFields out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    const auto rest = text.substr(pos);
    if (const auto key = key_length(rest); key > 0) {
      std::string value;
      std::size_t used = key + 1;
      if (used < rest.size() && rest[used] == '"') {
        std::size_t quoted = 0;
        value = unquote(rest.substr(used + 1), quoted);
        used += 1 + quoted;
      } else {
        const auto end = rest.find(' ', used);
        value = std::string(rest.substr(used, end == std::string_view::npos ? end : end - used));
        used += value.size();
      }
      out.fields.emplace_back(std::string(rest.substr(0, key)), std::move(value));
      pos += used;
      continue;
    }
    const auto end = rest.find(' ');
    if (!out.message.empty()) {
      out.message += ' ';
    }
    out.message.append(rest.substr(0, end));
    pos += end == std::string_view::npos ? rest.size() : end;
  }
  return out;
}

std::string log_json_line(std::string_view time, std::string_view level, std::string_view text) {
  const auto line = one_line(text);
  const auto parsed = parse_log_fields(line);
  JsonWriter json;
  json.begin_object().key("time").value(time).key("level").value(level);
  // An event of fields alone (table=users outcome=ok ...) keeps its text line as the message:
  // log viewers show the message, and an empty one hides what happened.
  json.key("message").value(parsed.message.empty() ? line : parsed.message);
  std::set<std::string> used{"time", "level", "message"};
  for (const auto& [key, value] : parsed.fields) {
    auto name = key;
    for (int n = 2; !used.insert(name).second; ++n) {
      name = key + "_" + std::to_string(n);
    }
    json.key(name);
    write_value(json, value);
  }
  json.end_object();
  return json.str();
}

} // namespace migrate::cli

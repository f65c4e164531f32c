#include "migrate/core/log_text.hpp"

namespace migrate {

std::string one_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue; // the \n that follows makes the one separator
    }
    if (c == '\n' || c == '\r') {
      out += " | ";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string first_line(std::string_view text, std::size_t max_bytes) {
  auto line = one_line(text.substr(0, text.find_first_of("\r\n")));
  if (line.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0U) == 0x80U) {
      --cut; // not inside a UTF-8 sequence
    }
    line = line.substr(0, cut) + "...";
  }
  return line;
}

std::string counted(std::uint64_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string quote_field(std::string_view text) {
  const auto line = one_line(text);
  std::string out = "\"";
  out.reserve(line.size() + 2);
  for (const char c : line) {
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string join_text(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) {
      out += separator;
    }
    out += part;
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto end = text.find('\n');
    out.emplace_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return out;
}

} // namespace migrate

#include "migrate/core/file_mode.hpp"

#include <cstdio>

namespace migrate {

bool open_to_others(std::filesystem::perms mode) noexcept {
  using std::filesystem::perms;
  return (mode & (perms::group_all | perms::others_all)) != perms::none;
}

std::string mode_text(std::filesystem::perms mode) {
  char text[8];
  std::snprintf(
      text, sizeof text, "%04o", static_cast<unsigned>(mode & std::filesystem::perms::mask));
  return text;
}

std::optional<std::filesystem::perms> parse_file_mode(const std::string& text) {
  if (text.empty() || text.size() > 4) {
    return std::nullopt;
  }
  unsigned bits = 0;
  for (const char c : text) {
    if (c < '0' || c > '7') {
      return std::nullopt;
    }
    bits = bits * 8 + static_cast<unsigned>(c - '0');
  }
  if (bits > 0777U || (bits & 0002U) != 0) {
    return std::nullopt;
  }
  return static_cast<std::filesystem::perms>(bits);
}

} // namespace migrate

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

} // namespace migrate

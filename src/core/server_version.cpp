#include "migrate/core/server_version.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace migrate {
namespace {

bool contains_mariadb(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text.find("mariadb") != std::string::npos;
}

// The leading "major.minor.patch" digits; the parts not there stay 0.
void read_numbers(const std::string& text, ServerVersion& out) {
  int* parts[] = {&out.major, &out.minor, &out.patch};
  std::size_t i = 0;
  for (int* part : parts) {
    if (i >= text.size() || std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return;
    }
    int value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0
           && value < 100000) {
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    *part = value;
    if (i >= text.size() || text[i] != '.') {
      return;
    }
    ++i;
  }
}

} // namespace

ServerVersion parse_server_version(const std::string& version, const std::string& comment) {
  ServerVersion out;
  out.version = version;
  out.comment = comment;
  out.flavour = contains_mariadb(version) || contains_mariadb(comment) ? ServerFlavour::mariadb
                                                                       : ServerFlavour::mysql;
  // A MariaDB replica of a MySQL-protocol proxy may prefix "5.5.5-" to the real version.
  const bool prefixed = out.is_mariadb() && version.rfind("5.5.5-", 0) == 0;
  read_numbers(prefixed ? version.substr(6) : version, out);
  return out;
}

std::string ServerVersion::describe() const {
  std::string out = is_mariadb() ? "MariaDB " : "MySQL ";
  out += std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  if (!comment.empty()) {
    out += " (" + comment + ")";
  }
  return out;
}

bool ServerVersion::at_least(int want_major, int want_minor, int want_patch) const {
  return std::tie(major, minor, patch) >= std::tie(want_major, want_minor, want_patch);
}

} // namespace migrate

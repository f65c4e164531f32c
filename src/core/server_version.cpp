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

void read_probe_variables(const std::vector<std::pair<std::string, std::string>>& variables,
                          const ServerVersion& version,
                          ServerProbes& probes) {
  // A server with both names takes its own flavour's: MariaDB never had max_execution_time, MySQL
  // 5.7.4 to 5.7.7 called it max_statement_time.
  const char* preferred = version.is_mariadb() ? "max_statement_time" : "max_execution_time";
  for (const auto& [name, value] : variables) {
    if (name == "show_gipk_in_create_table_and_information_schema") {
      probes.gipk_visibility = true;
    } else if ((name == "max_execution_time" || name == "max_statement_time")
               && (probes.statement_limit.empty() || name == preferred)) {
      probes.statement_limit = name;
      probes.statement_limit_value = value;
    }
  }
}

std::vector<std::pair<std::string, std::string>> describe_probes(const ServerProbes& probes) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("statement time limit",
                   probes.statement_limit.empty()
                       ? std::string("none (no max_execution_time or max_statement_time)")
                       : probes.statement_limit + " = " + probes.statement_limit_value
                             + " (set to 0 for the tool's sessions)");
  out.emplace_back("invisible primary keys",
                   probes.gipk_visibility
                       ? std::string("shown (show_gipk_in_create_table_and_information_schema ON)")
                       : std::string("no generated invisible primary keys on this server"));
  out.emplace_back("geometry axis order",
                   probes.axis_order_option
                       ? "ST_AsText writes " + probes.default_axis_text
                             + " for POINT(1 2) in SRID 4326; read with axis-order=long-lat"
                       : std::string("ST_AsText has no axis-order option; longitude first"));
  out.emplace_back("TIME_TO_SEC fraction",
                   probes.time_to_sec_text.empty()
                       ? std::string("not probed")
                       : "TIME_TO_SEC('00:00:01.5') = " + probes.time_to_sec_text
                             + " (not relied on: TIME values are compared from their parts)");
  return out;
}

} // namespace migrate

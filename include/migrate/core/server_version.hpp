// Which MySQL-compatible server the source is: the SQL it accepts and the catalog it has differ
// (docs/mysql-compatibility.md).
#pragma once

#include <string>

namespace migrate {

enum class ServerFlavour { mysql, mariadb };

struct ServerVersion {
  ServerFlavour flavour = ServerFlavour::mysql;
  int major = 0;
  int minor = 0;
  int patch = 0;
  std::string version; // SELECT VERSION(), e.g. "8.0.36" or "10.11.6-MariaDB-0+deb12u1"
  std::string comment; // @@version_comment, e.g. "MySQL Community Server - GPL"

  bool is_mariadb() const { return flavour == ServerFlavour::mariadb; }
  // "MySQL 8.0.36 (MySQL Community Server - GPL)": for logs and `migrate check`.
  std::string describe() const;
  // True when the server is at least major.minor.patch of its own flavour.
  bool at_least(int want_major, int want_minor, int want_patch = 0) const;
};

// Reads VERSION() and @@version_comment. MariaDB says so in VERSION() (and usually in the comment);
// anything else is taken for Oracle MySQL, whose forks (Percona, Aurora) keep its SQL and catalog.
ServerVersion parse_server_version(const std::string& version, const std::string& comment);

} // namespace migrate

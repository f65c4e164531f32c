// Which MySQL-compatible server the source is: the SQL it accepts and the catalog it has differ
// (docs/mysql-compatibility.md).
#pragma once

#include <string>
#include <utility>
#include <vector>

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

// What the server answered to the probes the source runs once when it connects: each decides a
// session setting or an expression the tool sends, rather than a guess from the version number
// (forks and backports move features between versions). Read-only statements: SHOW VARIABLES and
// SELECTs of constants.
struct ServerProbes {
  // The variable that caps a statement's time, lifted for the tool's sessions: MySQL 5.7.8+'s
  // max_execution_time (ms), MariaDB's max_statement_time (s), or empty; and its value as found.
  std::string statement_limit;
  std::string statement_limit_value;
  // show_gipk_in_create_table_and_information_schema exists (MySQL 8.0.30+): set ON, so that a
  // generated invisible primary key (my_row_id) shows in information_schema and keys the table.
  bool gipk_visibility = false;
  // ST_AsText(g, 'axis-order=long-lat') is accepted (MySQL 8.0+): geometry is read with it, so a
  // geographic SRID's WKT is longitude first, as MariaDB, MySQL 5.7 and PostGIS write it.
  bool axis_order_option = false;
  // What ST_AsText(ST_GeomFromText('POINT(1 2)', 4326)) writes without the option: "POINT(1 2)"
  // or, latitude first, "POINT(2 1)"... whichever the server prints; empty when not probed.
  std::string default_axis_text;
  // TIME_TO_SEC(TIME'00:00:01.5') as printed: "1.5" keeps the fraction (MariaDB), "1" drops
  // it (MySQL). Not relied on: TIME values are compared from their parts on every server.
  std::string time_to_sec_text;
};

// Fills the probes SHOW VARIABLES answers from its (Variable_name, Value) rows.
void read_probe_variables(const std::vector<std::pair<std::string, std::string>>& variables,
                          const ServerVersion& version,
                          ServerProbes& probes);

// One line per probe, "name: answer (what the tool does about it)", for the log and `migrate
// check`.
std::vector<std::pair<std::string, std::string>> describe_probes(const ServerProbes& probes);

} // namespace migrate

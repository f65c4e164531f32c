// One MariaDB Connector/C session to MySQL or MariaDB: TLS, compression, keepalives, utf8mb4 and
// time_zone '+00:00', the server's version and probes, and its errors as migrate::Error. Kept apart
// from the adapter so that the catalog calls and the streamed reads share one session type.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/convert/type_map.hpp" // ReadDialect
#include "migrate/core/server_version.hpp"

#include <mysql.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace migrate::source {

struct MysqlCloser {
  void operator()(MYSQL* handle) const { mysql_close(handle); }
};
struct ResultFreer {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using MysqlHandle = std::unique_ptr<MYSQL, MysqlCloser>;
using ResultHandle = std::unique_ptr<MYSQL_RES, ResultFreer>;

// Throws Error(area source): "<what>: <mysql_error>", sqlstate "mysql-<errno>", transient when a
// retry may cure it.
[[noreturn]] void fail(MYSQL* handle, const std::string& what, const std::string& sql = {});

// The session time zone of every connection between statements: TIMESTAMP values are read in UTC.
inline constexpr const char* k_utc_zone = "'+00:00'";

using Rows = std::vector<std::vector<std::optional<std::string>>>;

class Connection {
public:
  // `probes`: the answers of an earlier connection to the same server, or null to probe it.
  Connection(const config::Endpoint& endpoint, const ServerProbes* probes);

  // The session's settings, and the server's version and probes, which some of them depend on.
  void set_up_session(const config::Endpoint& endpoint, const ServerProbes* probes);

  // Read-only questions whose answers decide what the tool sends (ServerProbes).
  ServerProbes probe_server();

  MYSQL* get() const { return m_handle.get(); }
  const std::string& database() const { return m_database; }
  const std::string& encryption() const { return m_encryption; }
  const std::string& compression() const { return m_compression; }
  const ServerVersion& version() const { return m_version; }
  const ServerProbes& probes() const { return m_probes; }
  convert::ReadDialect dialect() const { return {m_probes.axis_order_option}; }

  void execute(const std::string& sql);

  // True once a statement failed because the connection is gone: a new one must replace it.
  bool lost() const { return m_lost; }

  // Runs `sql`, a session setting, unless this connection already ran it: a round trip saved on
  // every later call.
  void set_once(const std::string& sql);

  // Sets the session's time_zone to `zone` (SQL: '+00:00', 'SYSTEM', @@GLOBAL.time_zone) unless
  // it is set already: every statement is a round trip, which a WAN link makes dear.
  void set_time_zone(const std::string& zone);

  // Runs a query and buffers its (small) result.
  Rows query(const std::string& sql);

  // A query the server may refuse (a probe): nullopt when it does, unless the connection is lost.
  std::optional<Rows> try_query(const std::string& sql);

  Rows stored_result(const std::string& sql);

  // `value` quoted by mysql_real_escape_string, which follows the session's character set and
  // sql_mode (NO_BACKSLASH_ESCAPES).
  std::string literal(const std::string& value);

private:
  MysqlHandle m_handle;
  std::string m_database;
  std::string m_zone;               // the session time_zone as last set, empty when unknown
  std::set<std::string> m_settings; // set_once()'s statements run on this connection
  bool m_lost = false;
  std::string m_encryption;
  std::string m_compression; // the algorithm agreed at the handshake, or "off"
  ServerVersion m_version;
  ServerProbes m_probes;
};

} // namespace migrate::source

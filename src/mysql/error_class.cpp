#include "mysql/error_class.hpp"

#include <errmsg.h>
#include <mysqld_error.h>

namespace migrate::source {

// A TLS error on a connection already made is its transport breaking (a cut reads "TLS/SSL error:
// unexpected eof while reading"): lost, as 2013 is without TLS. The handshake's own refusals (a
// certificate that fails its check) never get here: fail_connect() reports them, not retried.
// MySQL 8.0.24+ tells an idle session it closes with ER_CLIENT_INTERACTION_TIMEOUT (4031, unknown
// to MariaDB's headers) before the client sees the disconnect: lost too, so it reconnects.
bool is_connection_lost(unsigned code) {
  constexpr unsigned k_client_interaction_timeout = 4031;
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR
         || code == CR_CONN_HOST_ERROR || code == CR_SERVER_LOST_EXTENDED
         || code == CR_SSL_CONNECTION_ERROR || code == k_client_interaction_timeout;
}

bool is_transient_mysql_error(unsigned code) {
  return is_connection_lost(code) || code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT;
}

} // namespace migrate::source

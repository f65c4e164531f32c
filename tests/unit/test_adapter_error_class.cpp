// Which adapter failures are retried: a lost connection, a deadlock or a lock timeout may pass; a
// refusal (wrong password, missing privilege, failed certificate check) or a data error never does.
#include "mysql/error_class.hpp"
#include "postgres/error_class.hpp"

#include <gtest/gtest.h>

namespace migrate {
namespace {

TEST(ErrorClass, PostgresConnectionLossDeadlocksAndLocksAreTransient) {
  for (const char* state : {"08006", "08001", "40001", "40P01", "53300", "55P03", "57P01"}) {
    EXPECT_TRUE(target::is_transient_sqlstate(state)) << state;
  }
  for (const char* state : {"23505", "42501", "22P02", "42P01", "28P01", ""}) {
    EXPECT_FALSE(target::is_transient_sqlstate(state)) << state;
  }
}

TEST(ErrorClass, PostgresRefusalsAreNotRetried) {
  EXPECT_TRUE(target::is_refusal(
      "connection to server at \"db\" (10.0.0.1), port 5432 failed: FATAL:  password "
      "authentication failed for user \"migrate\""));
  EXPECT_TRUE(target::is_refusal("FATAL:  database \"nope\" does not exist"));
  EXPECT_TRUE(target::is_refusal("FATAL:  no pg_hba.conf entry for host \"10.0.0.2\""));
  EXPECT_TRUE(target::is_refusal("SSL error: certificate verify failed"));
  EXPECT_TRUE(target::is_refusal("server certificate for \"db\" does not match host name \"x\""));
  EXPECT_FALSE(target::is_refusal("could not connect to server: Connection refused"));
  EXPECT_FALSE(target::is_refusal("server closed the connection unexpectedly"));
  EXPECT_FALSE(target::is_refusal("FATAL:  the database system is starting up"));
}

TEST(ErrorClass, MysqlLostConnectionsDeadlocksAndLockWaitsAreTransient) {
  // CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_SERVER_GONE_ERROR, CR_SERVER_LOST,
  // ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK, and CR_SSL_CONNECTION_ERROR on an established
  // connection (a TLS connection cut mid-read; a refused handshake is reported at connect),
  // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+ closing an idle session)
  for (const unsigned code : {2002U, 2003U, 2006U, 2013U, 1205U, 1213U, 2026U, 4031U}) {
    EXPECT_TRUE(source::is_transient_mysql_error(code)) << code;
  }
  // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR, ER_TABLEACCESS_DENIED_ERROR,
  // ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR, ER_PARSE_ERROR
  for (const unsigned code : {1045U, 1044U, 1142U, 1146U, 1054U, 1064U}) {
    EXPECT_FALSE(source::is_transient_mysql_error(code)) << code;
  }
}

} // namespace
} // namespace migrate

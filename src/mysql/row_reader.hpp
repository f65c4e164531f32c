// A streamed read of MySQL rows (mysql_use_result) and the connection it leaves for the next read.
// Kept apart from the adapter: a reader lives on after the read() call that made it, on its own
// connection and maybe on another thread.
#pragma once

#include "mysql/connection.hpp"

#include "migrate/source/source.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace migrate::source {

// A connection whose read ended, kept for the next read: a read then costs no new connection (TCP,
// TLS, authentication and the session's set-up: several round trips, which a WAN link makes the
// larger part of a table with nothing to read). Shared with the readers, which may end on another
// thread or after the source is gone. Kept a minute at most, well inside any wait_timeout.
class IdleConnection {
public:
  void put(std::unique_ptr<Connection> connection);

  // The kept connection, or nullptr when there is none young enough.
  std::unique_ptr<Connection> take();

private:
  std::mutex m_mutex;
  std::unique_ptr<Connection> m_connection;
  std::chrono::steady_clock::time_point m_since;
};

// Runs `sql` on `connection` and streams its rows; a read that reaches its end gives the
// connection to `idle`. Throws Error(area source) when the query fails.
std::unique_ptr<RowReader> open_row_reader(std::unique_ptr<Connection> connection,
                                           std::string sql,
                                           std::shared_ptr<IdleConnection> idle);

} // namespace migrate::source

#include "mysql/row_reader.hpp"

#include "migrate/core/error.hpp"

namespace migrate::source {
namespace {

class MysqlRowReader final : public RowReader {
public:
  MysqlRowReader(std::unique_ptr<Connection> connection,
                 std::string sql,
                 std::shared_ptr<IdleConnection> idle)
      : m_connection(std::move(connection))
      , m_sql(std::move(sql))
      , m_idle(std::move(idle)) {
    m_connection->execute(m_sql);
    m_result.reset(mysql_use_result(m_connection->get()));
    if (!m_result) {
      fail(m_connection->get(), "MySQL read returned no result", m_sql);
    }
    m_fields = mysql_num_fields(m_result.get());
  }

  bool next(RowView& row) override {
    MYSQL_ROW values = mysql_fetch_row(m_result.get());
    if (values == nullptr) {
      // With mysql_use_result a NULL row is either the end or a broken stream.
      if (mysql_errno(m_connection->get()) != 0) {
        fail(m_connection->get(), "MySQL stream broke", m_sql);
      }
      m_ended = true;
      return false;
    }
    row.values = values;
    row.lengths = mysql_fetch_lengths(m_result.get());
    row.size = m_fields;
    return true;
  }

  // A read that went to its end leaves a connection ready for the next; one stopped half-way
  // would have to drain the rest of its rows first, so it is closed instead.
  ~MysqlRowReader() override {
    m_result.reset();
    if (m_ended && m_idle) {
      try {
        m_idle->put(std::move(m_connection));
      } catch (...) {
        // Keeping it is an optimisation: closing it instead is always correct.
      }
    }
  }

  MysqlRowReader(const MysqlRowReader&) = delete;
  MysqlRowReader& operator=(const MysqlRowReader&) = delete;

private:
  std::unique_ptr<Connection> m_connection;
  std::string m_sql;
  std::shared_ptr<IdleConnection> m_idle;
  ResultHandle m_result;
  std::size_t m_fields = 0;
  bool m_ended = false; // every row was read
};

} // namespace

void IdleConnection::put(std::unique_ptr<Connection> connection) {
  const std::lock_guard lock(m_mutex);
  m_connection = std::move(connection);
  m_since = std::chrono::steady_clock::now();
}

std::unique_ptr<Connection> IdleConnection::take() {
  const std::lock_guard lock(m_mutex);
  if (m_connection && std::chrono::steady_clock::now() - m_since > std::chrono::minutes(1)) {
    m_connection.reset();
  }
  return std::move(m_connection);
}

std::unique_ptr<RowReader> open_row_reader(std::unique_ptr<Connection> connection,
                                           std::string sql,
                                           std::shared_ptr<IdleConnection> idle) {
  return std::make_unique<MysqlRowReader>(std::move(connection), std::move(sql), std::move(idle));
}

} // namespace migrate::source

// migrate::Error: the one exception type of the project.
//
// Adapters translate vendor exceptions (pqxx, SQLite, MariaDB errno) into it at their boundary, so
// callers act on properties, not on types: `area` says which part failed, `is_transient()` whether
// a retry may succeed, and the context fields name the table, column, primary key and SQL involved.
#pragma once

#include <stdexcept>
#include <string>

namespace migrate {

enum class ErrorArea {
  config,   // configuration or usage: exit code 2
  source,   // MySQL
  target,   // PostgreSQL
  state,    // SQLite state file
  convert,  // a value that cannot be represented in the target
  deadline, // the run's max_runtime passed: stopped after a commit, to go on next run
  lock,     // another run holds the state file's run lock: exit code 3
  notify,   // an alert could not be sent (logged and counted; never changes a run's exit code)
  internal,
};

struct ErrorContext {
  std::string table;
  std::string column;
  std::string primary_key; // rendered key of the row, e.g. "id=42"
  std::string sql;         // statement text (never holds secrets)
  std::string sqlstate;    // PostgreSQL SQLSTATE, or MySQL's errno as text
  bool transient = false;  // a retry of the same operation may succeed
};

class Error : public std::runtime_error {
public:
  Error(ErrorArea area, const std::string& message, ErrorContext context = {});

  ErrorArea area() const noexcept { return m_area; }
  const ErrorContext& context() const noexcept { return m_context; }
  bool is_transient() const noexcept { return m_context.transient; }
  // The bare message, without the context that what() appends.
  const std::string& message() const noexcept { return m_message; }

  // Returns a copy with the table filled in when it was not known where the error was thrown.
  Error with_table(const std::string& table) const;

private:
  ErrorArea m_area;
  std::string m_message;
  ErrorContext m_context;
};

const char* to_string(ErrorArea area) noexcept;
// The area to_string() named; `internal` for a name it never gives.
ErrorArea parse_error_area(const std::string& name) noexcept;

// The message for PostgreSQL's insufficient_privilege (42501): which privilege the statement `sql`
// needed (from its first word: CREATE, ownership for ALTER and DROP, else INSERT, UPDATE, DELETE,
// SELECT, TRUNCATE), on the object the server names, for `role`. The server's own text follows.
std::string missing_privilege_message(const std::string& role,
                                      const std::string& sql,
                                      const std::string& server);

} // namespace migrate

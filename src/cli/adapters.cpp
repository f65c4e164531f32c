#include "cli/adapters.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/file_mode.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/core/retry.hpp"
#include "migrate/mysql/mysql_source.hpp"
#include "migrate/postgres/postgres_target.hpp"
#include "migrate/state/postgres_state_store.hpp"
#include "migrate/state/sqlite_state_store.hpp"

#include <spdlog/spdlog.h>

namespace migrate::cli {
namespace {

template<typename Connect>
auto connect_with_retries(const config::Retry& configured,
                          Retries retries,
                          const char* what,
                          Connect connect) -> decltype(connect()) {
  const auto attempts = retries == Retries::none ? 0 : configured.attempts;
  return with_retries(attempts,
                      configured.max_wait,
                      connect,
                      [&](std::size_t attempt, std::chrono::milliseconds wait, const Error& e) {
                        spdlog::warn("{} connect retry={}/{} wait_s={:.1f} error={}",
                                     what,
                                     attempt,
                                     attempts,
                                     std::chrono::duration<double>(wait).count(),
                                     quote_field(e.what()));
                        return true;
                      });
}

} // namespace

std::unique_ptr<source::Source> AdapterFactory::source(Retries retries) const {
  return connect_with_retries(
      m_config.retry, retries, "MySQL", [&] { return source::make_mysql_source(m_config.mysql); });
}

std::unique_ptr<target::Target> AdapterFactory::target(Retries retries) const {
  return connect_with_retries(m_config.retry, retries, "PostgreSQL", [&] {
    return target::make_postgres_target(m_config.postgresql);
  });
}

config::StateLocation AdapterFactory::location() const {
  return m_config.state;
}

std::unique_ptr<state::StateStore> AdapterFactory::state() const {
  return state(location());
}

std::unique_ptr<state::StateStore>
AdapterFactory::state(const config::StateLocation& location) const {
  if (location.shared()) {
    return connect_with_retries(m_config.retry, Retries::as_configured, "state store", [&] {
      return state::open_postgres_state(location.url, location.schema);
    });
  }
  const auto& path = location.file;
  auto store = state::open_sqlite_state(path);
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!error && open_to_others(status.permissions())) {
    spdlog::warn("state file {} is readable by other users (mode {}) and holds quarantined raw "
                 "values: chmod 600 {}",
                 path.string(),
                 mode_text(status.permissions()),
                 path.string());
  }
  return store;
}

CommandContext::CommandContext(const GlobalOptions& options, config::ReadScope mode)
    : config(load(options, mode))
    , tables(selected_tables(config, options.tables)) {}

std::unique_ptr<state::RunLock> lock_state(const config::StateLocation& state) {
  return state.shared() ? nullptr : std::make_unique<state::RunLock>(state.file);
}

} // namespace migrate::cli

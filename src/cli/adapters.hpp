// The one place that makes the adapters from the configuration. Every command, and every worker of
// a run, asks here for its own connections, so each worker can hold a Source, a Target and a
// StateStore of its own.
#pragma once

#include "cli/commands.hpp"

#include "migrate/config/config.hpp"
#include "migrate/source/source.hpp"
#include "migrate/state/run_lock.hpp"
#include "migrate/state/state_store.hpp"
#include "migrate/target/target.hpp"

#include <memory>
#include <vector>

namespace migrate::cli {

// Whether a connection that fails transiently is tried again: `check` reports at once.
enum class Retries { none, as_configured };

class AdapterFactory {
public:
  explicit AdapterFactory(const config::Config& config)
      : m_config(config) {}

  // New connections, retried like a table's transient failures (config retry) unless told not
  // to: a server that is restarting at 02:00 should not fail the whole run. Throws
  // Error(source / target).
  std::unique_ptr<source::Source> source(Retries retries = Retries::as_configured) const;
  std::unique_ptr<target::Target> target(Retries retries = Retries::as_configured) const;
  // Opens (or creates) the state store: the SQLite file, warning when other users may read it (it
  // holds quarantined raw values), or the shared PostgreSQL store of `state: postgresql://...`,
  // retried like the other connections.
  std::unique_ptr<state::StateStore> state() const;
  // The store at `location` (state copy's destination), opened as state() opens the configured one.
  std::unique_ptr<state::StateStore> state(const config::StateLocation& location) const;
  // Where the configured state store is.
  config::StateLocation location() const;

private:
  const config::Config& m_config;
};

// What every command starts from: the configuration as `mode` needs it (with --state applied),
// the tables --table selects, and the factory. Not copyable: `tables` points into `config`.
struct CommandContext {
  CommandContext(const GlobalOptions& options, config::ReadScope mode);
  CommandContext(const CommandContext&) = delete;
  CommandContext& operator=(const CommandContext&) = delete;

  config::Config config;
  std::vector<const config::TableMapping*> tables;
  AdapterFactory adapters{config};
};

// A SQLite state store takes one run at a time: its RunLock, taken here (throws Error(lock) while
// another run holds it). A shared store's runs claim each table instead (state::TableClaim): null.
std::unique_ptr<state::RunLock> lock_state(const config::StateLocation& state);

} // namespace migrate::cli

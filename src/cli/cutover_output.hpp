// What `migrate cutover` says of itself: one value (CutoverRun) shown on stdout, as --json, as an
// HTML page and in the alert, and kept per table in the state store's cutover records.
#pragma once

#include "cli/adapters.hpp"
#include "cli/commands.hpp"

#include "migrate/core/result.hpp"
#include "migrate/cutover/cutover.hpp"
#include "migrate/notify/message.hpp"
#include "migrate/state/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace migrate::cli {

struct CutoverRun {
  std::int64_t id = 0; // the invocation in the state store
  std::string host;
  std::string by; // "user@host"
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  // "done", "stopped: the final sync failed", "stopped: PostgreSQL differs from MySQL",
  // "statements failed", "nothing to do"
  std::string outcome = "done";
  int exit_code = 0;
  std::vector<state::CutoverRecord> already; // tables cut over before, left as they are
  std::vector<TableResult> syncs;            // the final sync of each table
  std::vector<state::ValidationRecord> checksums;
  std::map<std::string, std::string> checksum_values;
  std::vector<cutover::TableCutover> plans;
  std::vector<cutover::StepOutcome> outcomes;

  bool stopped() const { return outcome.rfind("stopped", 0) == 0; }
};

// Whether every statement planned for `table` ran.
bool table_complete(const CutoverRun& run, const std::string& table);

// One line of what the cutover did to `table`: its final sync's figures and its statements.
std::string table_summary(const CutoverRun& run, const std::string& table);

void print_cutover(const CutoverRun& run);
void print_cutover_json(const CutoverRun& run);
// A self-contained page: date, host, result, the tables and every statement. Throws Error(config)
// when it cannot be written.
void write_cutover_html(const std::string& path, const CutoverRun& run);
notify::Message cutover_message(const CutoverRun& run, const std::vector<std::string>& secrets);

// The mapping the final sync and checksum use: every pass of a run, the comparison included
// whatever compare_every says, and deletes compared whatever `deletes: ignore` says, unless
// --keep-deletes (soft deletes stay soft). Rows changed in PostgreSQL by anything but migrate are
// left as they are (SyncOptions::leave_target_edits): the checksum is there to find them and stop.
config::TableMapping final_mapping(const config::TableMapping& mapping, bool keep_deletes);

// `cutover --dry-run`: per table what would stop the cutover (rows in quarantine, rows PostgreSQL
// holds that MySQL never had, foreign keys the rows break), what it would change (rows the final
// sync writes or deletes, defaults, NOT NULLs, unique keys without case, checks) and the
// statements, then what it does not move. Reads only; exit code 1 when something would stop it.
int run_cutover_dry_run(const CommandContext& context,
                        const CutoverOptions& options,
                        source::Source& source,
                        target::Target& target,
                        state::StateStore& state);

} // namespace migrate::cli

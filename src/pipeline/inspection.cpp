#include "pipeline/comparison.hpp"

#include "migrate/convert/compare_plan.hpp"
#include "migrate/core/timestamp_text.hpp"
#include "migrate/pipeline/run_rules.hpp"
#include "migrate/pipeline/table_sync.hpp"
#include "migrate/validate/schema_changes.hpp"
#include "migrate/validate/schema_drift.hpp"

namespace migrate::pipeline {

SchemaReport inspect_schema(const config::TableMapping& mapping,
                            source::Source& source,
                            target::Target& target) {
  const auto [plan, expected] = map_table(mapping, source);
  SchemaReport report;
  report.expected = expected;
  report.ddl = target.create_table_sql(expected);
  if (const auto existing = target.describe(mapping.target_schema, mapping.target_table)) {
    report.exists = true;
    report.drift = validate::schema_drift(expected, *existing);
    if (!report.drift.empty()) {
      auto changes = validate::plan_schema_changes(expected, *existing);
      report.change_ddl = target.alter_table_sql(expected, changes.changes);
      report.changes = std::move(changes.changes);
      report.refused = std::move(changes.refused);
    }
  }
  return report;
}

namespace {

// The stored position (or --since) the run would start from, voided as the run would void it.
std::optional<state::Position> planned_position(const config::TableMapping& mapping,
                                                target::Target& target,
                                                state::StateStore* state,
                                                const SyncOptions& options,
                                                const std::optional<TargetTable>& existing,
                                                bool target_empty,
                                                RunPlan& out) {
  std::optional<state::Position> position;
  if (options.since) {
    position = state::Position{Pass::incremental, *options.since, {}, {}};
  } else if (!options.full && state != nullptr) {
    position = state->position(mapping.source_table);
  }
  if (!position) {
    return position;
  }
  const TargetFacts facts{
      !existing, existing && target_empty, existing ? target.identity(*existing) : std::string()};
  const auto trust = trust_position(position, facts);
  if (trust != PositionTrust::trusted) {
    out.void_reason = "stored position " + position->to_string() + " is void: " + to_string(trust);
    return std::nullopt;
  }
  return position;
}

} // namespace

namespace {

// The target's drift, or the changes the run would apply first; true when they add columns.
bool plan_target(const config::TableMapping& mapping,
                 const TargetTable& expected,
                 const std::optional<TargetTable>& existing,
                 target::Target& target,
                 RunPlan& out) {
  if (!existing) {
    out.ddl = target.create_table_sql(expected);
    return false;
  }
  out.drift = validate::schema_drift(expected, *existing);
  const auto changes = validate::plan_schema_changes(expected, *existing);
  if (out.drift.empty() || !changes.refused.empty()
      || mapping.schema_changes != config::SchemaChanges::apply) {
    return false;
  }
  out.drift.clear(); // the run applies them, then loads
  for (const auto& change : changes.changes) {
    out.schema_changes.push_back(change.describe());
  }
  return changes.adds_columns();
}

// The rows the chosen pass would read, counted by the source as it would read them; nullopt for a
// comparison or replacement, which reads only what differs.
std::optional<std::uint64_t> rows_to_read(const config::TableMapping& mapping,
                                          const convert::TablePlan& plan,
                                          const PassChoice& choice,
                                          const std::optional<state::Position>& position,
                                          const std::string& upper_bound,
                                          source::Source& source) {
  if (choice.pass == Pass::incremental) {
    auto read = read_request(mapping, plan, source::ReadOrder::by_timestamp_then_key);
    auto start = incremental_start(*position, mapping.lookback);
    read.after_timestamp = std::move(start.after_timestamp);
    read.after_key = std::move(start.after_key);
    read.until_timestamp = upper_bound;
    return source.count_rows(read);
  }
  if (choice.pass == Pass::initial || choice.pass == Pass::full) {
    return source.count_rows(read_request(mapping, plan, source::ReadOrder::by_key));
  }
  return std::nullopt;
}

// How a first load would split: the stored layout as the run judges it (resumable_ranges), else
// a new split when the table asks for one.
std::string planned_ranges(const config::TableMapping& mapping,
                           const convert::TablePlan& plan,
                           state::StateStore* state,
                           const SyncOptions& options,
                           const std::optional<TargetTable>& existing,
                           target::Target& target,
                           bool initial_pass,
                           bool fresh_load) {
  const auto stored = state != nullptr && existing
                          ? state->position(ranges_state_name(mapping.source_table))
                          : std::nullopt;
  if (stored) {
    // A sync can always open connections for its ranges.
    const RangeResumeFacts facts{
        target.identity(*existing), options.reload || options.full, initial_pass, true};
    if (const auto ranges = resumable_ranges(*stored, facts)) {
      return std::to_string(ranges->ids.size())
             + " key ranges, going on where an earlier run stopped";
    }
  }
  const bool integer_key =
      !plan.key_positions.empty()
      && convert::hash_kind(plan.columns[plan.key_positions.front()]) == HashKind::integer;
  if (fresh_load && mapping.parallel_ranges > 1 && integer_key) {
    return "about " + std::to_string(mapping.parallel_ranges) + " key ranges";
  }
  return {};
}

// The pass a run would choose, as the run chooses it (choose_pass), and what `out` says of it:
// the pass, a resume, the comparison after it and the slice a verification would take.
PassChoice planned_pass(const config::TableMapping& mapping,
                        const convert::TablePlan& plan,
                        state::StateStore* state,
                        const SyncOptions& options,
                        const std::optional<state::Position>& position,
                        bool target_empty,
                        RunPlan& out) {
  PassInputs inputs;
  inputs.replace = plan.sync == config::SyncMode::replace;
  inputs.has_timestamp = plan.timestamp_position.has_value();
  inputs.position = position;
  inputs.target_empty = target_empty;
  inputs.full = options.full;
  inputs.reload = options.reload;
  inputs.deletes = convert::delete_policy(mapping, plan) != config::DeletePolicy::ignore;
  const auto runs = state != nullptr ? state->successful_runs(mapping.source_table) : 0;
  out.compare_due = runs % mapping.compare_every == 0;
  inputs.compare_due = inputs.deletes && out.compare_due;
  inputs.verify = mapping.verify_every > 0;
  const auto choice = choose_pass(inputs);
  out.pass = to_string(choice.pass);
  out.resume = choice.resume;
  out.compare_after = choice.compare_after;
  if (choice.slice_only) {
    out.verify_slices = mapping.verify_every;
    out.verify_slice = runs % mapping.verify_every + 1;
  }
  return choice;
}

} // namespace

RunPlan plan_run(const config::TableMapping& mapping,
                 source::Source& source,
                 target::Target& target,
                 state::StateStore* state,
                 const SyncOptions& options) {
  const auto [plan, expected] = map_table(mapping, source);
  RunPlan out;
  const auto existing = target.describe(mapping.target_schema, mapping.target_table);
  const bool adds_columns = plan_target(mapping, expected, existing, target, out);
  const bool replace = plan.sync == config::SyncMode::replace;
  // Asked once: the position's trust and the pass both need it.
  const bool target_empty = !existing || target.is_empty(*existing);
  auto position =
      replace ? std::nullopt
              : planned_position(mapping, target, state, options, existing, target_empty, out);
  if (position && adds_columns) {
    out.void_reason = "new columns: every row is read again to fill them";
    position.reset();
  }
  const auto choice = planned_pass(mapping, plan, state, options, position, target_empty, out);
  if (position) {
    out.cursor = position->to_string();
  }
  if (plan.timestamp_position
      && (choice.pass == Pass::incremental || choice.pass == Pass::initial || choice.store_bound)) {
    const auto& column = plan.columns[*plan.timestamp_position].source;
    const auto clock =
        source.server_clock(mapping.safety_lag, clock_zone(column, mapping.timestamp_time_zone));
    out.upper_bound =
        read_upper_bound(clock, column.data_type == "date" ? -1 : column.datetime_precision);
  }
  out.rows_to_read = rows_to_read(mapping, plan, choice, position, out.upper_bound, source);
  if (choice.pass == Pass::initial || choice.pass == Pass::full) {
    out.key_ranges = planned_ranges(mapping,
                                    plan,
                                    state,
                                    options,
                                    existing,
                                    target,
                                    choice.pass == Pass::initial,
                                    target_empty && !choice.resume);
  }
  return out;
}

} // namespace migrate::pipeline

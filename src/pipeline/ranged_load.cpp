#include "pipeline/ranged_load.hpp"

#include "migrate/convert/compare_plan.hpp"
#include "migrate/core/parallel.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace migrate::pipeline {
namespace {

// One range still to load, and the key its stored position reached.
struct RangeToLoad {
  std::string id;
  std::vector<std::string> after_key;
};

void load_range(RunState& run,
                TableLoad& table_load,
                const ComparePlan& chunks,
                const RangeToLoad& range,
                const RangedLoad& load,
                Connections& connections) {
  auto read = run.request(source::ReadOrder::by_key);
  read.chunk = ChunkFilter{&chunks, range.id};
  read.after_key = range.after_key;
  const auto name = range_state_name(run.mapping.source_table, range.id);
  // A new load copies into the empty table, all ranges at once; one that goes on merges.
  const auto session = connections.target->begin_load(
      run.target_table, load.resumed ? run.upsert_mode() : target::LoadMode::direct);
  const auto bound = load.bound;
  table_load.stream(read,
                    *session,
                    CommitRules{run.mapping.commit_rows,
                                [bound](const ReadPosition& last) {
                                  return state::Position{Pass::initial, bound, last.key, {}};
                                },
                                nullptr,
                                false,
                                name},
                    connections.source.get());
  const std::lock_guard guard(run.lock);
  run.save_position(state::Position{Pass::incremental, bound, {}, {}}, name);
}

} // namespace

std::optional<RangedLoad> ranged_load_plan(RunState& run, bool with_bound) {
  const auto& table = run.mapping.source_table;
  if (const auto stored = run.store.position(ranges_state_name(table))) {
    // Without a way to open connections (a command other than a sync), one stream reads it all.
    const RangeResumeFacts facts{run.target_id,
                                 run.options.reload || run.options.full,
                                 with_bound,
                                 static_cast<bool>(run.options.connect)};
    if (const auto ranges = resumable_ranges(*stored, facts)) {
      spdlog::info("table={} resuming a first load in {} key ranges", table, ranges->ids.size());
      return RangedLoad{*ranges, stored->timestamp, true};
    }
    if (const auto ranges = stored_ranges(*stored)) {
      forget_ranges(run, *ranges); // of another target, or a pass that reads everything
    }
    run.store.clear_position(ranges_state_name(table));
  }
  if (run.mapping.parallel_ranges < 2 || !run.options.connect || !run.target_empty()
      || run.plan.key_positions.empty()) {
    return std::nullopt;
  }
  const auto& first_key = run.plan.columns[run.plan.key_positions.front()];
  if (convert::hash_kind(first_key) != HashKind::integer) {
    spdlog::info(
        "table={} parallel_ranges needs an integer first key column: loading in one stream", table);
    return std::nullopt;
  }
  // The bound first: a row inserted after the key range was read, past its last key, is stamped
  // after the bound, so the incremental pass that follows reads it.
  auto bound = with_bound ? std::optional(run.upper_bound()) : std::nullopt;
  const auto range = run.source.key_range(table, first_key.source.name, run.plan.where);
  auto ranges = split_key_range(range, run.mapping.parallel_ranges);
  if (!ranges) {
    return std::nullopt;
  }
  RangedLoad load{std::move(*ranges), std::move(bound)};
  run.save_position(ranges_position(load.ranges, load.bound), ranges_state_name(table));
  return load;
}

void forget_ranges(RunState& run, const KeyRanges& ranges) {
  for (const auto& id : ranges.ids) {
    run.store.clear_position(range_state_name(run.mapping.source_table, id));
  }
  run.store.clear_position(ranges_state_name(run.mapping.source_table));
}

void ranged_load(RunState& run, TableLoad& table_load, const RangedLoad& load) {
  const auto& table = run.mapping.source_table;
  std::vector<RangeToLoad> ranges;
  for (const auto& id : load.ranges.ids) {
    const auto stored = run.store.position(range_state_name(table, id));
    if (!stored || stored->phase == Pass::initial) {
      ranges.push_back(RangeToLoad{id, stored ? stored->key : std::vector<std::string>{}});
    }
  }
  spdlog::info("table={} loading {} of {} key ranges (width {}) over up to {} connections",
               table,
               ranges.size(),
               load.ranges.ids.size(),
               load.ranges.width,
               run.mapping.parallel_ranges);
  auto chunks = convert::compare_plan(run.plan, KeyRange{}, 1);
  chunks.chunking = Chunking{Chunking::Kind::range, load.ranges.width};
  if (!load.resumed) {
    run.begin_first_load();
  }
  run.stopping = false;
  // The flag stops the other ranges of this load only: a retry that loads another way (a
  // comparison, once the target holds rows) must not find it set.
  struct ClearOnExit {
    std::atomic<bool>& flag;
    ~ClearOnExit() { flag = false; }
  } clear_on_exit{run.stopping};
  const auto outcome =
      run_parallel(ranges.size(), run.mapping.parallel_ranges, [&]() -> TaskRunner {
        auto connections = std::make_shared<Connections>(run.options.connect());
        return [&, connections](std::size_t task) {
          try {
            load_range(run, table_load, chunks, ranges[task], load, *connections);
          } catch (...) {
            run.stopping = true;
            throw;
          }
        };
      });
  if (!outcome.not_run.empty()) {
    std::rethrow_exception(outcome.start_error);
  }
  run.finish_keys();
}

} // namespace migrate::pipeline

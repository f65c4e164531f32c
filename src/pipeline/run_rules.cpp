#include "migrate/pipeline/run_rules.hpp"

#include "migrate/core/timestamp_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace migrate::pipeline {

PositionTrust trust_position(const std::optional<state::Position>& stored,
                             const TargetFacts& target) {
  if (!stored) {
    return PositionTrust::none;
  }
  // A position this run stored on the table it created (a retry after a commit) is the table's own.
  if (target.created && (stored->target_id.empty() || stored->target_id != target.identity)) {
    return PositionTrust::target_created;
  }
  if (!stored->target_id.empty() && stored->target_id != target.identity) {
    return PositionTrust::target_replaced;
  }
  // An initial pass that has not committed a key yet has loaded nothing to lose.
  const bool loaded_rows = stored->phase == Pass::incremental || !stored->key.empty();
  if (target.empty && loaded_rows) {
    return PositionTrust::target_emptied;
  }
  return PositionTrust::trusted;
}

std::string to_string(PositionTrust trust) {
  switch (trust) {
  case PositionTrust::target_created:
    return "the target table did not exist and was created";
  case PositionTrust::target_replaced:
    return "the target table was dropped and created again since the position was stored";
  case PositionTrust::target_emptied:
    return "the target table is empty";
  case PositionTrust::none:
  case PositionTrust::trusted:
    break;
  }
  return {};
}

state::Position advance_position(const state::Position& start, const state::Position& reached) {
  // Both timestamps are MySQL's text of one column, in one format: text order is time order. On an
  // equal timestamp the keys' order is MySQL's collation, unknown here: stay at `start`, which only
  // re-reads rows of that one timestamp.
  if (!start.timestamp || (reached.timestamp && *reached.timestamp > *start.timestamp)) {
    return reached;
  }
  return start;
}

std::optional<std::string> loaded_position(const std::string& bound,
                                           const std::optional<std::string>& newest,
                                           bool bound_trusted) {
  if (bound_trusted) {
    return bound;
  }
  if (!newest) {
    return std::nullopt;
  }
  return std::min(bound, *newest); // one column's text in one format: text order is time order
}

ReadStart incremental_start(const state::Position& position, std::chrono::seconds lookback) {
  if (!position.timestamp) {
    return {};
  }
  if (lookback.count() > 0) {
    auto start = shift_timestamp(*position.timestamp, -std::chrono::microseconds(lookback));
    // A zero date cannot be moved back: the key keeps the rows stamped with it after the cursor.
    if (start != *position.timestamp) {
      return {std::move(start), {}};
    }
  }
  return {position.timestamp, position.key};
}

std::string clock_zone(const SourceColumn& column, const std::string& timestamp_time_zone) {
  if (column.data_type == "timestamp") {
    return {};
  }
  return timestamp_time_zone.empty() ? std::string(source::k_server_zone) : timestamp_time_zone;
}

namespace {

// "2h 03m", "4m 05s", "12s".
std::string age_text(std::chrono::microseconds age) {
  const long long seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  char text[32];
  if (seconds >= 3600) {
    std::snprintf(text, sizeof text, "%lldh %02lldm", seconds / 3600, seconds % 3600 / 60);
  } else if (seconds >= 60) {
    std::snprintf(text, sizeof text, "%lldm %02llds", seconds / 60, seconds % 60);
  } else {
    std::snprintf(text, sizeof text, "%llds", seconds);
  }
  return text;
}

} // namespace

std::optional<std::string> held_back_note(const source::ServerClock& clock,
                                          std::chrono::microseconds threshold,
                                          const std::string& bound) {
  if (!clock.oldest_transaction
      || clock.oldest_transaction_age
             <= std::max<std::chrono::microseconds>(threshold, std::chrono::seconds(1))) {
    return std::nullopt;
  }
  return "an open transaction (MySQL connection " + clock.oldest_transaction_thread + ", open for "
         + age_text(clock.oldest_transaction_age) + ") holds the upper bound at " + bound
         + ": rows stamped after it wait until it ends";
}

std::string read_upper_bound(const source::ServerClock& clock, int fsp) {
  std::string limit = shift_timestamp(clock.now, {});
  if (clock.oldest_transaction) {
    const auto before_transaction =
        shift_timestamp(*clock.oldest_transaction, -std::chrono::seconds(1));
    limit = std::min(limit, before_transaction);
  }
  if (fsp < 0) {
    return last_complete_tick(limit.substr(0, 10) + " 00:00:00", 0);
  }
  return last_complete_tick(limit, fsp);
}

std::optional<KeyRanges> split_key_range(const KeyRange& range, std::size_t k) {
  if (k < 2 || range.min.empty() || range.rows == 0) {
    return std::nullopt;
  }
  KeyRanges out;
  out.width = range_width(range, k);
  out.ids = range_chunks_between(range.min, range.max, out.width);
  return out;
}

std::string ranges_state_name(const std::string& table) {
  return table + "#ranges";
}

std::string range_state_name(const std::string& table, const std::string& id) {
  return table + "#range:" + id;
}

state::Position ranges_position(const KeyRanges& ranges, const std::optional<std::string>& bound) {
  return state::Position{
      Pass::initial, bound, {ranges.width, ranges.ids.front(), ranges.ids.back()}, {}};
}

std::optional<KeyRanges> stored_ranges(const state::Position& stored) {
  if (stored.phase != Pass::initial || stored.key.size() != 3) {
    return std::nullopt;
  }
  const auto& width = stored.key[0];
  const bool digits = !width.empty() && std::all_of(width.begin(), width.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
  if (!digits || width.find_first_not_of('0') == std::string::npos) {
    return std::nullopt; // a width is a whole number of at least 1
  }
  try {
    // Every id from the first to the last: the range chunks of width 1 between them.
    KeyRanges out{width, range_chunks_between(stored.key[1], stored.key[2], "1")};
    return out.ids.empty() ? std::nullopt : std::optional<KeyRanges>(std::move(out));
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

std::optional<KeyRanges> resumable_ranges(const state::Position& stored,
                                          const RangeResumeFacts& facts) {
  if (stored.target_id != facts.target_id || facts.rereads_all || !facts.can_connect
      || (facts.needs_bound && !stored.timestamp)) {
    return std::nullopt;
  }
  return stored_ranges(stored);
}

PassChoice choose_pass(const PassInputs& in) {
  if (in.replace) {
    return PassChoice{Pass::replace};
  }
  const bool resume = in.position && in.position->phase == Pass::initial && !in.reload;
  if (!in.has_timestamp) {
    // Every run compares, deletes included; a first load (or --reload) reads every row, and a
    // resumed or reloading one compares afterwards for what changed or went before it.
    if (in.reload || resume || in.target_empty) {
      return PassChoice{Pass::full, resume, resume || in.reload};
    }
    return PassChoice{Pass::compare};
  }
  if (in.reload) {
    return PassChoice{Pass::initial};
  }
  if (in.full && !in.target_empty) {
    return PassChoice{Pass::compare, false, false, true};
  }
  if (!in.position || resume) {
    return PassChoice{Pass::initial, resume, false, false, resume};
  }
  // A change the cursor cannot see (a column set without moving the timestamp, a writer's clock
  // behind) is found by a comparison: the whole table when deletes are compared, else a slice.
  const bool whole = in.deletes && in.compare_due;
  PassChoice choice{Pass::incremental, false, whole || in.verify};
  choice.slice_only = !whole && in.verify;
  return choice;
}

bool compare_content_after(config::ValidateAfter mode,
                           std::size_t checksum_every,
                           std::uint64_t successful_runs,
                           bool budget_left) {
  if (!budget_left || mode == config::ValidateAfter::none) {
    return false;
  }
  return mode == config::ValidateAfter::checksum
         || (checksum_every > 0 && successful_runs % checksum_every == 0);
}

bool exceeds_delete_ratio(std::uint64_t deleting, std::uint64_t target_rows, double max_ratio) {
  return deleting > 0
         && static_cast<long double>(deleting)
                > static_cast<long double>(max_ratio) * static_cast<long double>(target_rows);
}

} // namespace migrate::pipeline

#include "fakes/memory_state_store.hpp"

#include "migrate/core/error.hpp"

#include <algorithm>
#include <set>

namespace migrate::fakes {

std::optional<state::Position> MemoryStateStore::position(const std::string& table) {
  const auto found = m_positions.find(table);
  return found == m_positions.end() ? std::nullopt : std::optional(found->second);
}

void MemoryStateStore::save_position(const std::string& table, const state::Position& position) {
  m_positions[table] = position;
}

void MemoryStateStore::clear_position(const std::string& table) {
  m_positions.erase(table);
}

std::int64_t MemoryStateStore::begin_run(const std::string& table) {
  const std::int64_t id = m_runs.empty() ? 1 : m_runs.rbegin()->first + 1;
  state::RunRecord record;
  record.id = id;
  record.result.table = table;
  record.result.started = std::chrono::system_clock::now();
  record.unfinished = true;
  record.invocation_id = m_invocation;
  m_runs[id] = record;
  return id;
}

void MemoryStateStore::finish_run(std::int64_t id, const TableResult& result) {
  const auto found = m_runs.find(id);
  if (found == m_runs.end()) {
    throw Error(ErrorArea::state, "no run " + std::to_string(id));
  }
  found->second.result = result;
  found->second.unfinished = false;
}

void MemoryStateStore::quarantine(const std::vector<state::QuarantineEntry>& entries) {
  for (const auto& entry : entries) {
    auto& stored = m_quarantine[{entry.table, entry.key, entry.column}];
    stored = entry;
    stored.at = format_utc(std::chrono::system_clock::now());
  }
}

void MemoryStateStore::release(const std::string& table, const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    for (auto it = m_quarantine.begin(); it != m_quarantine.end();) {
      const bool match = std::get<0>(it->first) == table && std::get<1>(it->first) == key;
      it = match ? m_quarantine.erase(it) : std::next(it);
    }
  }
}

std::vector<state::QuarantineEntry> MemoryStateStore::quarantined(const std::string& table) {
  std::vector<state::QuarantineEntry> out;
  for (const auto& [id, entry] : m_quarantine) {
    if (table.empty() || entry.table == table) {
      out.push_back(entry);
    }
  }
  return out;
}

std::uint64_t MemoryStateStore::successful_runs(const std::string& table) {
  const auto pruned = m_pruned_ok_runs.find(table);
  return static_cast<std::uint64_t>(std::count_if(m_runs.begin(),
                                                  m_runs.end(),
                                                  [&](const auto& run) {
                                                    return !run.second.unfinished
                                                           && run.second.result.table == table
                                                           && run.second.result.outcome
                                                                  == Outcome::ok;
                                                  }))
         + (pruned == m_pruned_ok_runs.end() ? 0 : pruned->second);
}

std::vector<state::RunRecord> MemoryStateStore::latest_runs() {
  std::map<std::string, state::RunRecord> latest;
  for (const auto& [id, record] : m_runs) {
    auto copy = record;
    if (copy.unfinished) {
      copy.result.outcome = Outcome::failed;
      copy.result.error =
          Error(ErrorArea::internal, "did not finish (process ended during the run)");
    }
    latest[record.result.table] = copy;
  }
  std::vector<state::RunRecord> out;
  for (auto& [table, record] : latest) {
    out.push_back(std::move(record));
  }
  return out;
}

std::vector<state::RunRecord> MemoryStateStore::runs(const std::string& table, std::size_t last) {
  std::vector<state::RunRecord> out;
  for (auto it = m_runs.rbegin(); it != m_runs.rend() && out.size() < last; ++it) {
    if (it->second.result.table == table) {
      out.insert(out.begin(), it->second);
    }
  }
  return out;
}

std::int64_t MemoryStateStore::record_validation(const state::ValidationRecord& record) {
  auto stored = record;
  stored.id = static_cast<std::int64_t>(m_validations.size()) + 1;
  if (stored.at.empty()) {
    stored.at = format_utc(std::chrono::system_clock::now());
  }
  m_validations.push_back(stored);
  return stored.id;
}

std::vector<state::ValidationRecord>
MemoryStateStore::validations(const std::string& table, std::size_t last, bool with_rows) {
  std::vector<state::ValidationRecord> out;
  for (auto it = m_validations.rbegin(); it != m_validations.rend() && out.size() < last; ++it) {
    if (it->table == table) {
      out.insert(out.begin(), *it);
      if (!with_rows) {
        out.front().rows.clear();
      }
    }
  }
  return out;
}

std::int64_t MemoryStateStore::begin_invocation(const state::InvocationStart& start) {
  state::Invocation invocation;
  invocation.id = static_cast<std::int64_t>(m_invocations.size()) + 1;
  invocation.start = start;
  invocation.started = invocation.finished = std::chrono::system_clock::now();
  m_invocations[invocation.id] = invocation;
  m_invocation = invocation.id;
  return invocation.id;
}

void MemoryStateStore::finish_invocation(std::int64_t id,
                                         int exit_code,
                                         std::uint64_t notify_failures) {
  auto& invocation = m_invocations.at(id);
  invocation.finished = std::chrono::system_clock::now();
  invocation.exit_code = exit_code;
  invocation.notify_failures = notify_failures;
  if (id == m_invocation) {
    m_invocation = 0;
  }
}

// Newest first, with the figures of the runs that point to each.
std::vector<state::Invocation> MemoryStateStore::invocations(std::size_t last) {
  std::vector<state::Invocation> out;
  for (auto it = m_invocations.rbegin(); it != m_invocations.rend() && out.size() < last; ++it) {
    auto invocation = it->second;
    for (const auto& [id, run] : m_runs) {
      if (run.invocation_id != invocation.id) {
        continue;
      }
      const bool ok = !run.unfinished && run.result.outcome == Outcome::ok;
      ++(ok ? invocation.tables_ok : invocation.tables_failed);
      invocation.rows_moved += run.result.counts.moved();
      invocation.quarantined += run.result.counts.quarantined;
    }
    out.push_back(invocation);
  }
  return out;
}

std::optional<state::RunRecord> MemoryStateStore::last_successful_run(const std::string& table) {
  for (auto it = m_runs.rbegin(); it != m_runs.rend(); ++it) {
    const auto& run = it->second;
    if (!run.unfinished && run.result.table == table && run.result.outcome == Outcome::ok) {
      return run;
    }
  }
  return std::nullopt;
}

std::int64_t MemoryStateStore::record_cutover(const state::CutoverRecord& record) {
  auto stored = record;
  stored.id = static_cast<std::int64_t>(m_cutovers.size()) + 1;
  if (stored.at.empty()) {
    stored.at = format_utc(std::chrono::system_clock::now());
  }
  m_cutovers.push_back(stored);
  return stored.id;
}

std::optional<state::CutoverRecord> MemoryStateStore::cutover_in_force(const std::string& table) {
  for (auto it = m_cutovers.rbegin(); it != m_cutovers.rend(); ++it) {
    if (it->table == table && it->outcome == "done") {
      return it->in_force() ? std::optional(*it) : std::nullopt;
    }
  }
  return std::nullopt;
}

bool MemoryStateStore::revert_cutover(const std::string& table, const std::string& by) {
  const auto record = cutover_in_force(table);
  if (!record) {
    return false;
  }
  auto& stored = m_cutovers.at(static_cast<std::size_t>(record->id - 1));
  stored.reverted_at = format_utc(std::chrono::system_clock::now());
  stored.reverted_by = by;
  return true;
}

std::vector<state::CutoverRecord> MemoryStateStore::cutovers(std::size_t last) {
  std::vector<state::CutoverRecord> out(m_cutovers.rbegin(), m_cutovers.rend());
  out.resize(std::min(out.size(), last));
  return out;
}

state::PruneCounts MemoryStateStore::prune(const state::PruneCutoffs& cutoffs) {
  state::PruneCounts counts;
  // Times are kept to the second, as the real stores keep them.
  const auto before = [](const auto& cutoff, const std::string& at) {
    return cutoff && at < format_utc(*cutoff);
  };
  std::map<std::string, std::int64_t> newest_run;
  for (const auto& [id, run] : m_runs) {
    newest_run[run.result.table] = id;
  }
  std::set<std::int64_t> referenced;
  for (auto it = m_runs.begin(); it != m_runs.end();) {
    const auto& run = it->second;
    if (before(cutoffs.history, format_utc(run.result.started))
        && newest_run[run.result.table] != it->first) {
      m_pruned_ok_runs[run.result.table] +=
          !run.unfinished && run.result.outcome == Outcome::ok ? 1U : 0U;
      it = m_runs.erase(it);
      ++counts.runs;
    } else {
      referenced.insert(it->second.invocation_id);
      ++it;
    }
  }
  for (auto it = m_invocations.begin(); it != m_invocations.end();) {
    if (before(cutoffs.history, format_utc(it->second.started))
        && referenced.count(it->first) == 0) {
      it = m_invocations.erase(it);
      ++counts.invocations;
    } else {
      ++it;
    }
  }
  std::map<std::string, std::int64_t> newest_validation;
  for (const auto& validation : m_validations) {
    newest_validation[validation.table] =
        std::max(newest_validation[validation.table], validation.id);
  }
  const auto old = std::remove_if(m_validations.begin(), m_validations.end(), [&](const auto& v) {
    return before(cutoffs.validations, v.at) && newest_validation[v.table] != v.id;
  });
  counts.validations = static_cast<std::uint64_t>(std::distance(old, m_validations.end()));
  m_validations.erase(old, m_validations.end());
  for (auto& [key, entry] : m_quarantine) {
    if (before(cutoffs.quarantine_values, entry.at) && !entry.raw_hex.empty()) {
      entry.raw_hex.clear();
      ++counts.quarantine_values;
    }
  }
  return counts;
}

} // namespace migrate::fakes

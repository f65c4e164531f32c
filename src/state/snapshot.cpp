#include "migrate/state/state_store.hpp"

#include <limits>
#include <set>

namespace migrate::state {

StateSnapshot read_snapshot(StateStore& store, const std::vector<std::string>& tables) {
  constexpr auto all = std::numeric_limits<std::size_t>::max() / 2;
  std::set<std::string> names(tables.begin(), tables.end());
  for (const auto& run : store.latest_runs()) {
    names.insert(run.result.table);
  }
  StateSnapshot out;
  out.quarantine = store.quarantined("");
  for (const auto& entry : out.quarantine) {
    names.insert(entry.table);
  }
  out.invocations = store.invocations(all);
  out.cutovers = store.cutovers(all);
  for (const auto& name : names) {
    if (auto position = store.position(name)) {
      out.positions.emplace_back(name, std::move(*position));
    }
    for (auto& run : store.runs(name, all)) {
      out.runs.push_back(std::move(run));
    }
    for (auto& validation : store.validations(name, all, true)) {
      out.validations.push_back(std::move(validation));
    }
  }
  return out;
}

} // namespace migrate::state

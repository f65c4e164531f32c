// The rows a table run quarantined, counted once each and grouped by column and reason for its
// log: added to by every stream of the run, logged once at its end.
#pragma once

#include "migrate/state/state_store.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace migrate::pipeline {

// What the quarantine held before the run's first rejection: (key, column, reason).
using HeldEntries = std::set<std::tuple<std::string, std::string, std::string>>;

// The rows a run quarantined, counted once each however many passes rejected them, and grouped by
// column and reason for the log, so that no reason is visible only in `migrate quarantine`. A row
// the quarantine already held for the same reason (a comparison reads its chunk every run) is
// counted but logged once, when it entered, not again every week.
class RejectionSummary {
public:
  // `held`: what the quarantine held before this run, as key, column and reason.
  void add(const std::vector<state::QuarantineEntry>& entries, const HeldEntries& held);

  std::uint64_t rows() const { return m_keys.size(); }

  void log(const std::string& table) const;

private:
  struct Group {
    std::set<std::string> keys;
    std::vector<std::string> first_keys;
  };
  std::set<std::string> m_keys;
  std::set<std::string> m_still_held;
  std::map<std::pair<std::string, std::string>, Group> m_groups;
};

} // namespace migrate::pipeline

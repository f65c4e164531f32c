#include "pipeline/rejection_summary.hpp"

#include "migrate/core/log_text.hpp"

#include <spdlog/spdlog.h>

namespace migrate::pipeline {

void RejectionSummary::add(const std::vector<state::QuarantineEntry>& entries,
                           const HeldEntries& held) {
  for (const auto& entry : entries) {
    m_keys.insert(entry.key);
    if (held.count({entry.key, entry.column, entry.reason}) != 0) {
      m_still_held.insert(entry.key);
      continue;
    }
    auto& group = m_groups[{entry.column, entry.reason}];
    if (group.keys.count(entry.key) != 0) {
      continue;
    }
    group.keys.insert(entry.key);
    if (group.first_keys.size() < 3) {
      group.first_keys.push_back(entry.key);
    }
  }
}

void RejectionSummary::log(const std::string& table) const {
  for (const auto& [cause, group] : m_groups) {
    std::string keys;
    for (const auto& key : group.first_keys) {
      keys += (keys.empty() ? "" : "; ") + key;
    }
    spdlog::warn("table={} quarantined={} column={} reason={} first_keys={}",
                 table,
                 group.keys.size(),
                 cause.first,
                 quote_field(cause.second),
                 quote_field(keys));
  }
  if (!m_groups.empty()) {
    spdlog::warn("table={} quarantined={} rows in all (see: migrate quarantine --table {})",
                 table,
                 m_keys.size(),
                 table);
  } else if (!m_still_held.empty()) {
    spdlog::info("table={} still_in_quarantine={} (see: migrate quarantine --table {})",
                 table,
                 m_still_held.size(),
                 table);
  }
}

} // namespace migrate::pipeline

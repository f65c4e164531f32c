#include "migrate/state/table_claim.hpp"

#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace migrate::state {

TableClaim::TableClaim(StateStore& state, std::string table, Lease lease)
    : m_state(&state)
    , m_table(std::move(table))
    , m_lease(lease)
    , m_held(lease == Lease::granted) {}

TableClaim TableClaim::try_acquire(StateStore& state, const std::string& table) {
  return TableClaim(state, table, state.lease(table));
}

TableClaim
TableClaim::acquire(StateStore& state, const std::string& table, const std::string& action) {
  auto claim = try_acquire(state, table);
  if (!claim.held()) {
    // Both refusals read the same: either way the command waits until no run holds the table.
    throw Error(ErrorArea::lock,
                "table " + table + " is leased by another worker: " + action
                    + " once no run holds it",
                ErrorContext{.table = table});
  }
  return claim;
}

TableClaim::TableClaim(TableClaim&& other) noexcept
    : m_state(other.m_state)
    , m_table(std::move(other.m_table))
    , m_lease(other.m_lease)
    , m_held(std::exchange(other.m_held, false)) {}

TableClaim::~TableClaim() {
  if (!m_held) {
    return;
  }
  try {
    release();
  } catch (const std::exception& e) {
    spdlog::warn("table={} lease not given back: {}", m_table, quote_field(e.what()));
  }
}

std::string TableClaim::refusal() const {
  switch (m_lease) {
  case Lease::granted:
    return {};
  case Lease::held_elsewhere:
    return "leased by another worker";
  case Lease::done_elsewhere:
    return "done by another worker";
  }
  return {};
}

void TableClaim::release() {
  if (!m_held) {
    return;
  }
  m_held = false;
  m_state->release_lease(m_table);
}

} // namespace migrate::state

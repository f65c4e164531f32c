// TableClaim: one table claimed by this process for an action that writes it (a run, a repair, a
// cutover), so that workers sharing a state store never write the same table at once.
//
// A claim holds the store's lease of the table (StateStore::lease) and gives it back when it goes
// out of scope. A SQLite store grants every lease and holds nothing: RunLock, taken once per
// process, keeps other processes out instead. A claim is used from one thread; the store it leases
// from must be safe for the threads that share it (SerializedStateStore for --jobs).
#pragma once

#include "migrate/state/state_store.hpp"

#include <string>

namespace migrate::state {

class TableClaim {
public:
  // Asks `state` for the lease of `table`. The claim is held when the lease is granted; otherwise
  // refusal() says why, and a run skips the table.
  static TableClaim try_acquire(StateStore& state, const std::string& table);
  // As try_acquire(), for a command that must write the table or stop: throws Error(lock) "table
  // <table> is leased by another worker: <action> once no run holds it" unless the lease is
  // granted. `action` as "cut over" or "--repair it".
  static TableClaim acquire(StateStore& state, const std::string& table, const std::string& action);

  // Gives a held lease back; a store that fails to is logged, not thrown (its lease ends with its
  // session anyway). release() first, where a failure of the store must stop the caller.
  ~TableClaim();
  TableClaim(TableClaim&& other) noexcept;
  TableClaim(const TableClaim&) = delete;
  TableClaim& operator=(const TableClaim&) = delete;
  TableClaim& operator=(TableClaim&&) = delete;

  const std::string& table() const { return m_table; }
  bool held() const { return m_held; }
  // "leased by another worker" (another worker runs it now) or "done by another worker" (another
  // worker ran it since this invocation began); empty when held.
  std::string refusal() const;
  // Gives the lease back now; throws Error(state) when the store fails. Does nothing when not held.
  void release();

private:
  TableClaim(StateStore& state, std::string table, Lease lease);

  StateStore* m_state;
  std::string m_table;
  Lease m_lease;
  bool m_held;
};

} // namespace migrate::state

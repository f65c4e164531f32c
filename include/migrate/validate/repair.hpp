// `migrate validate --repair`: re-syncs the rows of the chunks a checksum found different, through
// the same load session and reconcile as a run's comparison pass. Sees only the Source and Target
// interfaces.
#pragma once

#include "migrate/validate/row_search.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace migrate::validate {

struct RepairResult {
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t deleted = 0;   // extra target rows deleted (or marked, with soft deletes)
  std::uint64_t rejected = 0;  // source rows the conversion refused (they stay in quarantine)
  std::uint64_t unchanged = 0; // rows of the chunks that were equal already: not written
  // Chunks whose extra rows were left in place: deletes are ignored, or a row of the chunk was
  // refused (deleting what was not staged would then delete it).
  std::vector<std::string> extras_kept;
};

// Stages every MySQL row of each chunk of `chunk_ids` and merges them in one transaction per
// chunk: rows equal to the target's are not written, so only the differing rows change. The
// target's rows the chunk lacks are deleted when the table's `deletes` allows it. `plan` is the
// plan the chunk ids were found with. Throws Error when a side fails; chunks committed before stay.
RepairResult repair_chunks(const TableView& table,
                           source::Source& source,
                           target::Target& target,
                           const ComparePlan& plan,
                           const std::vector<std::string>& chunk_ids);

} // namespace migrate::validate

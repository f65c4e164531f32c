// What the passes, `migrate plan`, `migrate schema` and `validate --checksum` share: the table read
// through its mapping, the read request of its rows, and the chunked comparison of both sides.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/convert/table_plan.hpp"
#include "migrate/core/compare.hpp"
#include "migrate/source/source.hpp"
#include "migrate/target/target.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace migrate::pipeline {

// MySQL's description read through the mapping, and the target table it calls for.
struct MappedTable {
  convert::TablePlan plan;
  TargetTable expected;
};

MappedTable map_table(const config::TableMapping& mapping, source::Source& source);

// Every mapped column of the table, the rows the mapping's `where` selects, in `order`.
source::ReadRequest read_request(const config::TableMapping& mapping,
                                 const convert::TablePlan& plan,
                                 source::ReadOrder order);

struct ChunkDiff {
  ComparePlan plan;
  KeyRange range; // the source's key range the chunks were sized from (not for whole chunking)
  std::vector<std::string> differing;
  std::size_t compared = 0;
  std::uint64_t source_rows = 0;
  bool target_has_rows = false;
  std::uint64_t rows_unsealed = 0;          // target rows whose seal does not hold
  std::vector<std::string> unsealed_chunks; // the chunks holding them
  std::uint64_t target_rows = 0;            // rows the target's compared chunks hold
  // The target rows beyond the source's, summed over the chunks: the fewest a reconcile deletes.
  std::uint64_t surplus = 0;
  std::uint64_t target_hash = 0; // the XOR of every target chunk's hash: the table's
};

// How a comparison digests rows: MySQL's digest of its own values against the one stored with each
// row, where the row's seal holds (every column, exactly, on both sides), or each side's
// normalised values (for a target no run of this version has written yet).
enum class DigestOf { source_values, target_values };

// The chunks of a comparison, sized from the source's key range: a plan that two comparisons of one
// run share, so that their chunk ids name the same rows.
ChunkDiff plan_comparison(const config::TableMapping& mapping,
                          const convert::TablePlan& table_plan,
                          source::Source& source);

// Digests both sides chunk by chunk with `planned`'s chunks and lists the chunks that differ.
ChunkDiff diff_chunks(const ChunkDiff& planned,
                      const config::TableMapping& mapping,
                      source::Source& source,
                      target::Target& target,
                      const TargetTable& target_table,
                      DigestOf digest_of);

} // namespace migrate::pipeline

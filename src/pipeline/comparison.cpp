#include "pipeline/comparison.hpp"

#include "migrate/convert/compare_plan.hpp"

#include <future>
#include <map>

namespace migrate::pipeline {

MappedTable map_table(const config::TableMapping& mapping, source::Source& source) {
  auto plan = convert::plan_table(source.describe(mapping.source_table), mapping);
  auto expected = convert::target_table(mapping, plan);
  return MappedTable{std::move(plan), std::move(expected)};
}

source::ReadRequest read_request(const config::TableMapping& mapping,
                                 const convert::TablePlan& plan,
                                 source::ReadOrder order) {
  source::ReadRequest out;
  out.table = mapping.source_table;
  for (const auto& column : plan.columns) {
    out.columns.push_back(column.source);
  }
  for (const auto position : plan.key_positions) {
    out.key.push_back(plan.columns[position].source);
  }
  if (plan.timestamp_position) {
    out.timestamp = plan.columns[*plan.timestamp_position].source;
  }
  out.order = order;
  out.where = plan.where;
  return out;
}

ChunkDiff plan_comparison(const config::TableMapping& mapping,
                          const convert::TablePlan& table_plan,
                          source::Source& source) {
  ChunkDiff diff;
  if (table_plan.sync == config::SyncMode::replace) {
    diff.plan = convert::compare_plan(table_plan, KeyRange{}, mapping.chunk_rows);
  } else {
    const auto& first_key = table_plan.columns[table_plan.key_positions.front()].source;
    const auto range = source.key_range(mapping.source_table, first_key.name, table_plan.where);
    diff.plan = convert::compare_plan(table_plan, range, mapping.chunk_rows);
    diff.source_rows = range.rows;
    diff.range = range;
  }
  return diff;
}

// Digests both sides chunk by chunk with `planned`'s chunks and lists the chunks that differ.
ChunkDiff diff_chunks(const ChunkDiff& planned,
                      const config::TableMapping& mapping,
                      source::Source& source,
                      target::Target& target,
                      const TargetTable& target_table,
                      DigestOf digest_of) {
  ChunkDiff diff = planned;
  diff.plan.digest_column = digest_of == DigestOf::source_values ? k_digest_column : "";
  // Both servers digest at once: the comparison costs the slower of the two, not their sum.
  auto source_future = std::async(
      std::launch::async, [&] { return source.chunk_digests(mapping.source_table, diff.plan); });
  std::vector<ChunkDigest> target_digests;
  try {
    target_digests = target.chunk_digests(target_table, diff.plan);
  } catch (...) {
    source_future.wait();
    throw;
  }
  const auto source_digests = source_future.get();
  if (diff.plan.chunking.kind == Chunking::Kind::whole) {
    for (const auto& digest : source_digests) {
      diff.source_rows += digest.rows;
    }
  }
  for (const auto& digest : target_digests) {
    diff.rows_unsealed += digest.rows_unsealed;
    if (digest.rows_unsealed > 0) {
      diff.unsealed_chunks.push_back(digest.id);
    }
    diff.target_hash ^= digest.hash;
  }
  diff.target_has_rows = !target_digests.empty();
  std::map<std::string, std::pair<const ChunkDigest*, const ChunkDigest*>> chunks;
  for (const auto& digest : source_digests) {
    chunks[digest.id].first = &digest;
  }
  for (const auto& digest : target_digests) {
    chunks[digest.id].second = &digest;
  }
  for (const auto& [id, pair] : chunks) {
    const auto source_rows = pair.first == nullptr ? 0 : pair.first->rows;
    const auto target_rows = pair.second == nullptr ? 0 : pair.second->rows;
    diff.target_rows += target_rows;
    diff.surplus += target_rows > source_rows ? target_rows - source_rows : 0;
    if (pair.first == nullptr || pair.second == nullptr || !pair.first->matches(*pair.second)) {
      diff.differing.push_back(id);
    }
  }
  diff.compared = chunks.size();
  return diff;
}

} // namespace migrate::pipeline

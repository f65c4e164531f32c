#include "pipeline/comparison.hpp"

#include "migrate/core/error.hpp"
#include "migrate/pipeline/table_sync.hpp"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <map>

namespace migrate::pipeline {
namespace {

// The chunk of each quarantined row where it can be told from the stored key ("id=42,..."): a
// range chunk of an integer first key, or the one chunk of a replaced table.
std::map<std::string, std::size_t> quarantined_per_chunk(const ComparePlan& plan,
                                                         const std::vector<std::string>& keys) {
  std::map<std::string, std::size_t> out;
  for (const auto& key : keys) {
    if (plan.chunking.kind == Chunking::Kind::whole) {
      ++out["0"];
    } else if (plan.chunking.kind == Chunking::Kind::range) {
      const auto equals = key.find('=');
      const auto value = key.substr(equals + 1, key.find(',', equals) - equals - 1);
      try {
        ++out[range_chunk_of(value, plan.chunking.width_or_buckets)];
      } catch (const std::invalid_argument&) {
        // NULL or not a number: no chunk to name
      }
    }
  }
  return out;
}

// "id >= 10000 and < 20000" for a key range, "key hash bucket 3 of 8" otherwise, and the rows in
// quarantine a chunk holds, which make it differ until they load.
std::vector<std::string> describe_chunks(const ChunkDiff& diff,
                                         const std::vector<std::string>& quarantined) {
  std::vector<std::string> out;
  const auto& chunking = diff.plan.chunking;
  const auto held = quarantined_per_chunk(diff.plan, quarantined);
  for (const auto& id : diff.differing) {
    std::string text;
    if (chunking.kind == Chunking::Kind::whole) {
      text = "the whole table";
    } else if (chunking.kind == Chunking::Kind::hash) {
      text = "key hash bucket " + id + " of " + chunking.width_or_buckets;
    } else {
      const auto bounds = range_bounds(id, chunking.width_or_buckets);
      text = diff.plan.key.target_name + (bounds.low_inclusive ? " >= " : " > ") + bounds.low
             + " and " + (bounds.high_inclusive ? "<= " : "< ") + bounds.high;
    }
    if (const auto found = held.find(id); found != held.end()) {
      text += " (holds " + std::to_string(found->second) + " quarantined row"
              + (found->second == 1 ? "" : "s") + ")";
    }
    out.push_back(std::move(text));
  }
  return out;
}

} // namespace

ChecksumReport checksum_table(const config::TableMapping& mapping,
                              source::Source& source,
                              target::Target& target,
                              const std::vector<std::string>& quarantined_keys) {
  const auto [plan, expected] = map_table(mapping, source);
  const auto existing = target.describe(mapping.target_schema, mapping.target_table);
  if (!existing) {
    throw Error(ErrorArea::target,
                "target table " + expected.qualified_name() + " does not exist",
                ErrorContext{.table = mapping.source_table});
  }
  ChecksumReport report;
  const auto has = [&](const char* name) {
    return std::any_of(existing->columns.begin(), existing->columns.end(), [&](const auto& c) {
      return c.name == name;
    });
  };
  report.exact = has(k_digest_column) && has(k_seal_column);
  const auto diff = diff_chunks(plan_comparison(mapping, plan, source),
                                mapping,
                                source,
                                target,
                                expected,
                                report.exact ? DigestOf::source_values : DigestOf::target_values);
  report.chunks_compared = diff.compared;
  report.chunks_differing = describe_chunks(diff, quarantined_keys);
  report.differing_ids = diff.differing;
  report.rows_unsealed = diff.rows_unsealed;
  report.source_rows = diff.source_rows;
  report.checksum = fmt::format("{:016x}", diff.target_hash);
  report.plan = diff.plan;
  if (!report.exact) {
    for (const auto& column : diff.plan.columns) {
      if (column.kind == HashKind::float_value) {
        report.partly_compared.push_back(column.target_name + " (float: the chunk's sum)");
      } else if (column.kind == HashKind::presence) {
        report.partly_compared.push_back(column.target_name + " (NULL or not)");
      }
    }
  }
  return report;
}

} // namespace migrate::pipeline

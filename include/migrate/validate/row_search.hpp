// Narrows the chunks a checksum found different down to their rows, and finds the rows changed
// in MySQL since the last run, so that a validation can name each differing row and say why it
// differs. Sees only the Source and Target interfaces.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/compare.hpp"
#include "migrate/source/source.hpp"
#include "migrate/target/target.hpp"
#include "migrate/validate/verdict.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace migrate::validate {

// A table as validation and repair see it: the mapping's plan of MySQL's table and the target
// table a run writes (soft-delete column included when deletes are soft).
struct TableView {
  const config::TableMapping* mapping = nullptr;
  convert::TablePlan plan;
  TargetTable target;
  config::DeletePolicy deletes = config::DeletePolicy::ignore;
};

// Describes MySQL's table through the mapping. Throws Error as plan_table() does.
TableView view_table(const config::TableMapping& mapping, source::Source& source);

struct KeyedDifference {
  std::string key; // "id=42", as the quarantine names rows
  RowDifference difference = RowDifference::content_differs;
  std::string chunk;                              // the chunk, as describe_chunk() names it
  std::vector<std::optional<std::string>> values; // the key's values, for ordering
  // An extra row carrying a digest of MySQL's values: migrate wrote it, and MySQL has deleted it
  // since. False for a row something else inserted into the target.
  bool written_by_migrate = true;
};

// Key order for people: integers by value (9 before 10), the rest as text, NULL first.
bool key_less(const std::vector<std::optional<std::string>>& a,
              const std::vector<std::optional<std::string>>& b);

// "id >= 20 and < 40" for a range chunk, "key hash bucket 3 of 8", or "the whole table".
std::string describe_chunk(const ComparePlan& plan, const std::string& id);

// "id=42" or "a=1,b=NULL" from key column names and values.
std::string render_key(const std::vector<std::string>& names,
                       const std::vector<std::optional<std::string>>& values);

// The rows of one chunk that differ between the two sides, by key: a key on one side only is
// missing or extra, a key on both with different digests (or a target row whose seal does not
// hold) differs in content.
// Sorted by key_less(); `chunk` is copied into each.
std::vector<KeyedDifference> diff_rows(const std::vector<std::string>& key_names,
                                       const std::vector<RowDigest>& source,
                                       const std::vector<RowDigest>& target,
                                       const std::string& chunk);

// What narrowing found: the differing rows, and the chunks that differ without any row differing
// (float sums beyond the tolerance, which no single row's digest sees).
struct RowSearch {
  std::vector<KeyedDifference> rows;
  std::vector<std::string> chunks_without_rows;
};

// Reads each chunk of `ids` row by row on both sides, with the comparison's `plan` (digests and
// seals, or normalised values). Rows in key order.
RowSearch find_differing_rows(const TableView& table,
                              source::Source& source,
                              target::Target& target,
                              const ComparePlan& plan,
                              const std::vector<std::string>& ids);

// Keys of the source rows whose timestamp is above `cursor` (in `chunk` when set); empty for a
// table without a timestamp column. Streams the keys only.
std::set<std::string> changed_since(const TableView& table,
                                    source::Source& source,
                                    const std::string& cursor,
                                    const std::optional<ChunkFilter>& chunk = std::nullopt);

// How many source rows have a timestamp above `cursor` (and, when `up_to_key` is set, a key at or
// below it: the part an unfinished first pass has loaded); 0 for a table without a timestamp
// column. Streams the keys without keeping them.
std::uint64_t count_changed_since(const TableView& table,
                                  source::Source& source,
                                  const std::string& cursor,
                                  const std::vector<std::string>& up_to_key = {});

// How many source rows have a key after `key` (an unfinished first pass's position: the rows it
// has not reached). Streams the keys without keeping them.
std::uint64_t count_after_key(const TableView& table,
                              source::Source& source,
                              const std::vector<std::string>& key);

} // namespace migrate::validate

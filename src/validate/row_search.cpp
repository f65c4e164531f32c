#include "migrate/validate/row_search.hpp"

#include <algorithm>
#include <iterator>
#include <map>

namespace migrate::validate {
namespace {

using KeyValues = std::vector<std::optional<std::string>>;

std::vector<std::string> key_names(const ComparePlan& plan) {
  std::vector<std::string> out;
  for (const auto& column : plan.key_columns) {
    out.push_back(column.source_name);
  }
  return out;
}

// Decimal integer text: an optional '-' and digits.
bool is_integer(const std::string& text) {
  const std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  return text.size() > start
         && std::all_of(text.begin() + static_cast<std::ptrdiff_t>(start), text.end(), [](char c) {
              return c >= '0' && c <= '9';
            });
}

// -1 when a < b, 0 when equal, 1 when a > b.
int compare_values(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) {
    return a ? 1 : b ? -1 : 0;
  }
  if (is_integer(*a) && is_integer(*b)) {
    const bool a_negative = (*a)[0] == '-';
    const bool b_negative = (*b)[0] == '-';
    if (a_negative != b_negative) {
      return a_negative ? -1 : 1;
    }
    // Same sign: the longer magnitude is the larger one (no leading zeros in keys as printed).
    int order = a->size() != b->size() ? (a->size() < b->size() ? -1 : 1) : a->compare(*b);
    order = order < 0 ? -1 : order > 0 ? 1 : 0;
    return a_negative ? -order : order;
  }
  const int order = a->compare(*b);
  return order < 0 ? -1 : order > 0 ? 1 : 0;
}

std::map<KeyValues, const RowDigest*> by_key(const std::vector<RowDigest>& rows) {
  std::map<KeyValues, const RowDigest*> out;
  for (const auto& row : rows) {
    out.emplace(row.key, &row);
  }
  return out;
}

std::vector<KeyedDifference> rows_of_chunk(const TableView& table,
                                           source::Source& source,
                                           target::Target& target,
                                           const ComparePlan& plan,
                                           const std::string& id) {
  const ChunkFilter chunk{&plan, id};
  return diff_rows(key_names(plan),
                   source.row_digests(table.mapping->source_table, chunk),
                   target.row_digests(table.target, chunk),
                   id);
}

} // namespace

TableView view_table(const config::TableMapping& mapping, source::Source& source) {
  TableView view;
  view.mapping = &mapping;
  view.plan = convert::plan_table(source.describe(mapping.source_table), mapping);
  view.target = convert::target_table(mapping, view.plan);
  view.deletes = convert::delete_policy(mapping, view.plan);
  return view;
}

std::string render_key(const std::vector<std::string>& names, const KeyValues& values) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (i == 0 ? "" : ",") + names[i] + "=" + values[i].value_or("NULL");
  }
  return out;
}

bool key_less(const KeyValues& a, const KeyValues& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (const int order = compare_values(a[i], b[i]); order != 0) {
      return order < 0;
    }
  }
  return a.size() < b.size();
}

std::string describe_chunk(const ComparePlan& plan, const std::string& id) {
  switch (plan.chunking.kind) {
  case Chunking::Kind::whole:
    return "the whole table";
  case Chunking::Kind::hash:
    return "key hash bucket " + id + " of " + plan.chunking.width_or_buckets;
  case Chunking::Kind::range:
    break;
  }
  const auto bounds = range_bounds(id, plan.chunking.width_or_buckets);
  return plan.key.source_name + (bounds.low_inclusive ? " >= " : " > ") + bounds.low + " and "
         + (bounds.high_inclusive ? "<= " : "< ") + bounds.high;
}

std::vector<KeyedDifference> diff_rows(const std::vector<std::string>& key_names,
                                       const std::vector<RowDigest>& source,
                                       const std::vector<RowDigest>& target,
                                       const std::string& chunk) {
  const auto source_rows = by_key(source);
  const auto target_rows = by_key(target);
  std::vector<KeyedDifference> out;
  for (const auto& [key, row] : source_rows) {
    const auto found = target_rows.find(key);
    if (found == target_rows.end()) {
      out.push_back({render_key(key_names, key), RowDifference::missing_in_target, chunk, key});
    } else if (!found->second->hash || found->second->hash != row->hash) {
      out.push_back({render_key(key_names, key), RowDifference::content_differs, chunk, key});
    }
  }
  for (const auto& [key, row] : target_rows) {
    if (source_rows.count(key) == 0) {
      out.push_back({render_key(key_names, key),
                     RowDifference::extra_in_target,
                     chunk,
                     key,
                     row->written_by_migrate});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return key_less(a.values, b.values);
  });
  return out;
}

RowSearch find_differing_rows(const TableView& table,
                              source::Source& source,
                              target::Target& target,
                              const ComparePlan& plan,
                              const std::vector<std::string>& ids) {
  RowSearch out;
  for (const auto& id : ids) {
    auto rows = rows_of_chunk(table, source, target, plan, id);
    if (rows.empty()) {
      out.chunks_without_rows.push_back(id);
    }
    std::move(rows.begin(), rows.end(), std::back_inserter(out.rows));
  }
  std::sort(out.rows.begin(), out.rows.end(), [](const auto& a, const auto& b) {
    return key_less(a.values, b.values);
  });
  return out;
}

namespace {

// A keys-only read of the table, in key order; empty `columns` when the table has no key.
source::ReadRequest key_read(const TableView& table, std::vector<std::string>& names) {
  source::ReadRequest read;
  read.table = table.mapping->source_table;
  for (const auto position : table.plan.key_positions) {
    read.columns.push_back(table.plan.columns[position].source);
    read.key.push_back(table.plan.columns[position].source);
    names.push_back(table.plan.columns[position].source.name);
  }
  read.where = table.plan.where;
  return read;
}

// Rows with a timestamp above `cursor` (in `chunk` when set), in (timestamp, key) order.
source::ReadRequest changed_read(const TableView& table,
                                 const std::string& cursor,
                                 const std::optional<ChunkFilter>& chunk,
                                 std::vector<std::string>& names) {
  auto read = key_read(table, names);
  read.timestamp = table.plan.columns[*table.plan.timestamp_position].source;
  read.order = source::ReadOrder::by_timestamp_then_key;
  read.after_timestamp = cursor;
  read.chunk = chunk;
  return read;
}

// Calls `found` with the key values of each row `read` returns.
template<typename Found>
void for_each_key(source::Source& source, const source::ReadRequest& read, Found&& found) {
  const auto reader = source.read(read);
  RowView row;
  KeyValues values(read.columns.size());
  while (reader->next(row)) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = row.is_null(i) ? std::nullopt : std::optional<std::string>(row.at(i));
    }
    found(values);
  }
}

bool has_cursor(const TableView& table) {
  return table.plan.timestamp_position && !table.plan.key_positions.empty();
}

} // namespace

std::set<std::string> changed_since(const TableView& table,
                                    source::Source& source,
                                    const std::string& cursor,
                                    const std::optional<ChunkFilter>& chunk) {
  std::set<std::string> out;
  if (!has_cursor(table)) {
    return out;
  }
  std::vector<std::string> names;
  const auto read = changed_read(table, cursor, chunk, names);
  for_each_key(
      source, read, [&](const KeyValues& values) { out.insert(render_key(names, values)); });
  return out;
}

std::uint64_t count_changed_since(const TableView& table,
                                  source::Source& source,
                                  const std::string& cursor,
                                  const std::vector<std::string>& up_to_key) {
  std::uint64_t count = 0;
  if (!has_cursor(table)) {
    return count;
  }
  std::vector<std::string> names;
  const auto read = changed_read(table, cursor, std::nullopt, names);
  const KeyValues limit(up_to_key.begin(), up_to_key.end());
  for_each_key(source, read, [&](const KeyValues& values) {
    count += limit.empty() || !key_less(limit, values) ? 1U : 0U;
  });
  return count;
}

std::uint64_t count_after_key(const TableView& table,
                              source::Source& source,
                              const std::vector<std::string>& key) {
  std::uint64_t count = 0;
  if (table.plan.key_positions.empty() || key.size() != table.plan.key_positions.size()) {
    return count;
  }
  std::vector<std::string> names;
  auto read = key_read(table, names);
  read.after_key = key;
  for_each_key(source, read, [&](const KeyValues&) { ++count; });
  return count;
}

} // namespace migrate::validate

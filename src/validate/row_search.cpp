#include "migrate/validate/row_search.hpp"

#include <algorithm>
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
  view.target = view.plan.target_table(mapping.target_schema, mapping.target_table);
  // The run's default (pipeline/table_sync.cpp): a table read by timestamp cannot see deletes.
  view.deletes = mapping.deletes.value_or(
      view.plan.timestamp_position ? config::DeletePolicy::ignore : config::DeletePolicy::remove);
  if (view.deletes == config::DeletePolicy::soft) {
    view.target.soft_delete_column = mapping.soft_delete_column;
  }
  return view;
}

std::string render_key(const std::vector<std::string>& names, const KeyValues& values) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    out += (i == 0 ? "" : ",") + names[i] + "=" + values[i].value_or("NULL");
  }
  return out;
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
      out.push_back({render_key(key_names, key), RowDifference::missing_in_target, chunk});
    } else if (!found->second->hash || found->second->hash != row->hash) {
      out.push_back({render_key(key_names, key), RowDifference::content_differs, chunk});
    }
  }
  for (const auto& [key, row] : target_rows) {
    if (source_rows.count(key) == 0) {
      out.push_back({render_key(key_names, key), RowDifference::extra_in_target, chunk});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return out;
}

RowSearch find_differing_rows(const TableView& table,
                              source::Source& source,
                              target::Target& target,
                              const ComparePlan& plan,
                              const std::vector<std::string>& digest_ids,
                              const std::vector<std::string>& value_ids) {
  auto digest_plan = plan;
  digest_plan.digest_column = k_digest_column;
  std::map<std::string, KeyedDifference> found; // by key: once, however many comparisons see it
  std::set<std::string> chunks(digest_ids.begin(), digest_ids.end());
  chunks.insert(value_ids.begin(), value_ids.end());
  std::set<std::string> with_rows;
  const auto add = [&](const std::vector<KeyedDifference>& rows) {
    for (const auto& row : rows) {
      found.emplace(row.key, row);
      with_rows.insert(row.chunk);
    }
  };
  for (const auto& id : digest_ids) {
    add(rows_of_chunk(table, source, target, digest_plan, id));
  }
  for (const auto& id : value_ids) {
    add(rows_of_chunk(table, source, target, plan, id));
  }
  RowSearch out;
  for (auto& [key, row] : found) {
    out.rows.push_back(std::move(row));
  }
  for (const auto& id : chunks) {
    if (with_rows.count(id) == 0) {
      out.chunks_without_rows.push_back(id);
    }
  }
  return out;
}

std::set<std::string> changed_since(const TableView& table,
                                    source::Source& source,
                                    const std::string& cursor,
                                    const std::optional<ChunkFilter>& chunk) {
  const auto& plan = table.plan;
  std::set<std::string> out;
  if (!plan.timestamp_position || plan.key_positions.empty()) {
    return out;
  }
  source::ReadRequest read;
  read.table = table.mapping->source_table;
  std::vector<std::string> names;
  for (const auto position : plan.key_positions) {
    read.columns.push_back(plan.columns[position].source);
    read.key.push_back(plan.columns[position].source);
    names.push_back(plan.columns[position].source.name);
  }
  read.timestamp = plan.columns[*plan.timestamp_position].source;
  read.order = source::ReadOrder::by_timestamp_then_key;
  read.after_timestamp = cursor;
  read.chunk = chunk;
  read.where = plan.where;
  const auto reader = source.read(read);
  RowView row;
  KeyValues values(names.size());
  while (reader->next(row)) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      values[i] = row.is_null(i) ? std::nullopt : std::optional<std::string>(row.at(i));
    }
    out.insert(render_key(names, values));
  }
  return out;
}

} // namespace migrate::validate

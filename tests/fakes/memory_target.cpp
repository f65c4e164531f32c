#include "fakes/memory_target.hpp"

#include "fakes/decimal_sum.hpp"

#include "migrate/convert/copy_text.hpp"
#include "migrate/core/error.hpp"

#include <algorithm>
#include <set>

namespace migrate::fakes {
namespace {

Error target_error(const TargetTable& table, const std::string& message, const char* sqlstate) {
  return Error(ErrorArea::target, message, ErrorContext{.table = table.name, .sqlstate = sqlstate});
}

std::size_t index_of(const TargetTable& shape, const std::string& column) {
  for (std::size_t i = 0; i < shape.columns.size(); ++i) {
    if (shape.columns[i].name == column) {
      return i;
    }
  }
  throw target_error(shape, "column \"" + column + "\" does not exist", "42703");
}

std::vector<std::string> key_of(const TargetTable& shape, const TargetRow& row) {
  std::vector<std::string> key;
  for (const auto& column : shape.primary_key) {
    key.push_back(row[index_of(shape, column)].value_or(""));
  }
  return key;
}

// Whether the row is in the comparison chunk (whole and range chunks).
bool in_chunk(const TargetTable& shape, const TargetRow& row, const ChunkFilter& chunk) {
  const auto& plan = *chunk.plan;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return true;
  }
  if (plan.chunking.kind == Chunking::Kind::hash) {
    throw Error(ErrorArea::internal, "MemoryTarget does not support hash chunks");
  }
  const auto key = row[index_of(shape, plan.key.target_name)].value_or("");
  return range_chunk_of(key, plan.chunking.width_or_buckets) == chunk.id;
}

// The fake's seal: FNV-1a over the row's own values (not the tool's columns), as PostgreSQL's
// hash_record_extended() is over the same values in PostgresTarget.
std::string seal_of(const TargetTable& shape, const TargetRow& row) {
  std::uint64_t hash = 14695981039346656037ULL;
  const auto add = [&hash](unsigned char c) {
    hash = (hash ^ c) * 1099511628211ULL;
  };
  for (std::size_t i = 0; i < shape.columns.size(); ++i) {
    const auto& name = shape.columns[i].name;
    if (is_tool_column(name) || name == shape.soft_delete_column) {
      continue;
    }
    add(row[i] ? 'v' : 'N');
    for (const char c : row[i].value_or("")) {
      add(static_cast<unsigned char>(c));
    }
    add(0);
  }
  return std::to_string(static_cast<std::int64_t>(hash));
}

bool seal_holds(const TargetTable& shape, const TargetRow& row) {
  const auto& seal = row[index_of(shape, k_seal_column)];
  return seal && *seal == seal_of(shape, row);
}

bool soft_deleted(const TargetTable& shape, const TargetRow& row) {
  return !shape.soft_delete_column.empty()
         && row[index_of(shape, shape.soft_delete_column)].has_value();
}

class MemoryLoad : public target::LoadSession {
public:
  MemoryLoad(MemoryTarget& target, TargetTable table, target::LoadMode mode)
      : m_target(target)
      , m_table(std::move(table))
      , m_mode(mode) {}

  // Reads COPY text only, as PostgreSQL does for a table whose types binary rows do not fit.
  CopyFormat choose_format(CopyFormat /*wanted*/) override { return CopyFormat::text; }
  bool rows_carry_seal() const override { return false; }

  void write(std::string_view lines, std::size_t /*rows*/) override {
    m_target.stored(m_table); // the COPY fails at once on a missing table
    while (!lines.empty()) {
      const auto end = lines.find('\n');
      if (end == std::string_view::npos) {
        throw target_error(m_table, "COPY data ends inside a line", "22P04");
      }
      parse_line(lines.substr(0, end));
      lines.remove_prefix(end + 1);
    }
  }

  target::MergeCounts commit(const target::Reconcile* reconcile) override {
    auto& stored = m_target.stored(m_table);
    auto rows = stored.rows; // the transaction's copy: the table changes only if all succeeds
    target::MergeCounts counts;
    if (m_mode == target::LoadMode::direct) {
      for (auto& row : m_staged) {
        rows.push_back(as_stored(stored.shape, row));
      }
      counts.inserted = m_staged.size();
    } else {
      merge(stored.shape, rows, counts);
    }
    if (reconcile != nullptr) {
      remove_missing(stored.shape, rows, *reconcile, counts);
    }
    stored.rows = std::move(rows);
    m_staged.clear();
    return counts;
  }

  target::MergeCounts replace(std::uint64_t expected_rows) override {
    auto& stored = m_target.stored(m_table);
    if (m_staged.size() != expected_rows) {
      m_staged.clear();
      throw target_error(m_table,
                         "staged " + std::to_string(m_staged.size()) + " rows but "
                             + std::to_string(expected_rows) + " were read",
                         "");
    }
    target::MergeCounts counts;
    counts.deleted = stored.rows.size();
    counts.inserted = m_staged.size();
    stored.rows.clear();
    for (auto& row : m_staged) {
      stored.rows.push_back(as_stored(stored.shape, row));
    }
    m_staged.clear();
    return counts;
  }

private:
  void parse_line(std::string_view line) {
    TargetRow row;
    std::size_t start = 0;
    for (;;) {
      const auto tab = line.find('\t', start);
      const auto field = line.substr(start, tab == std::string_view::npos ? tab : tab - start);
      if (field == convert::k_copy_null) {
        row.emplace_back();
      } else {
        row.emplace_back(convert::unescape_copy_field(field));
      }
      if (tab == std::string_view::npos) {
        break;
      }
      start = tab + 1;
    }
    if (row.size() != m_table.columns.size()) {
      throw target_error(m_table,
                         "COPY line has " + std::to_string(row.size()) + " fields, the table "
                             + std::to_string(m_table.columns.size()),
                         "22P04");
    }
    m_staged.push_back(std::move(row));
  }

  // A staged row in the stored table's column order, sealed; columns it does not load are NULL.
  TargetRow as_stored(const TargetTable& shape, const TargetRow& staged) const {
    TargetRow row(shape.columns.size());
    for (std::size_t i = 0; i < m_table.columns.size(); ++i) {
      row[index_of(shape, m_table.columns[i].name)] = staged[i];
    }
    row[index_of(shape, k_seal_column)] = seal_of(shape, row);
    return row;
  }

  // INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE the row differs (or was soft-deleted).
  void merge(const TargetTable& shape, std::vector<TargetRow>& rows, target::MergeCounts& counts) {
    if (shape.primary_key.empty()) {
      throw target_error(shape, "there is no unique constraint matching ON CONFLICT", "42P10");
    }
    std::set<std::vector<std::string>> seen;
    for (const auto& staged : m_staged) {
      auto row = as_stored(shape, staged);
      const auto key = key_of(shape, row);
      if (!seen.insert(key).second) {
        throw target_error(
            shape, "ON CONFLICT DO UPDATE command cannot affect row a second time", "21000");
      }
      const auto existing = std::find_if(
          rows.begin(), rows.end(), [&](const TargetRow& r) { return key_of(shape, r) == key; });
      if (existing == rows.end()) {
        rows.push_back(std::move(row));
        ++counts.inserted;
      } else if (m_mode == target::LoadMode::upsert_keeping_edits
                 && !seal_holds(shape, *existing)) {
        ++counts.unchanged; // changed by hand: left for the checksum to name
      } else if (*existing != row) {
        *existing = std::move(row);
        ++counts.updated;
      } else {
        ++counts.unchanged;
      }
    }
  }

  void remove_missing(const TargetTable& shape,
                      std::vector<TargetRow>& rows,
                      const target::Reconcile& reconcile,
                      target::MergeCounts& counts) {
    std::set<std::vector<std::string>> staged;
    for (const auto& row : m_staged) {
      staged.insert(key_of(shape, as_stored(shape, row)));
    }
    for (auto it = rows.begin(); it != rows.end();) {
      if (!in_chunk(shape, *it, reconcile.chunk) || staged.count(key_of(shape, *it)) != 0) {
        ++it;
      } else if (reconcile.soft) {
        auto& mark = (*it)[index_of(shape, shape.soft_delete_column)];
        counts.deleted += mark ? 0U : 1U;
        mark = mark.value_or("now");
        ++it;
      } else {
        it = rows.erase(it);
        ++counts.deleted;
      }
    }
  }

  MemoryTarget& m_target;
  TargetTable m_table;
  target::LoadMode m_mode;
  std::vector<TargetRow> m_staged;
};

} // namespace

MemoryTarget::Stored& MemoryTarget::stored(const TargetTable& table) {
  const auto found = m_tables.find(table.qualified_name());
  if (found == m_tables.end()) {
    throw target_error(
        table, "relation \"" + table.qualified_name() + "\" does not exist", "42P01");
  }
  return found->second;
}

std::vector<TargetRow> MemoryTarget::rows(const std::string& schema,
                                          const std::string& table) const {
  const auto& found = m_tables.at(schema + "." + table);
  auto rows = found.rows;
  if (!found.shape.primary_key.empty()) {
    std::sort(rows.begin(), rows.end(), [&](const TargetRow& a, const TargetRow& b) {
      return key_of(found.shape, a) < key_of(found.shape, b);
    });
  }
  return rows;
}

void MemoryTarget::set_value(const std::string& schema,
                             const std::string& table,
                             std::size_t row,
                             std::size_t column,
                             std::optional<std::string> value) {
  m_tables.at(schema + "." + table).rows.at(row).at(column) = std::move(value);
}

void MemoryTarget::insert_by_hand(const std::string& schema,
                                  const std::string& table,
                                  const std::vector<std::pair<std::string, std::string>>& values) {
  auto& st = m_tables.at(schema + "." + table);
  TargetRow row(st.shape.columns.size());
  for (const auto& [column, value] : values) {
    row[index_of(st.shape, column)] = value;
  }
  st.rows.push_back(std::move(row));
}

target::TargetServerInfo MemoryTarget::server_info() {
  target::TargetServerInfo info;
  info.version = "16.4";
  info.role = "migrate";
  info.time_zone = "UTC";
  info.utc_now = "2026-11-29 02:00:00.000000";
  info.encoding = "UTF8";
  return info;
}

std::vector<std::string> MemoryTarget::missing_privileges(const TargetTable& /*table*/) {
  return {};
}

std::optional<TargetTable> MemoryTarget::describe(const std::string& schema,
                                                  const std::string& table) {
  const auto found = m_tables.find(schema + "." + table);
  return found == m_tables.end() ? std::nullopt : std::optional(found->second.shape);
}

void MemoryTarget::create_table(const TargetTable& table) {
  if (m_tables.count(table.qualified_name()) != 0) {
    throw target_error(table, "relation \"" + table.name + "\" already exists", "42P07");
  }
  Stored created{table, {}, m_next_oid++};
  created.shape.primary_key.clear();
  created.shape.indexes.clear();
  created.shape.columns.push_back(TargetColumn{k_seal_column, "bigint", false, {}, false});
  if (!table.soft_delete_column.empty()) {
    created.shape.columns.push_back(
        TargetColumn{table.soft_delete_column, "timestamp with time zone", false, {}, false});
  }
  m_tables[table.qualified_name()] = std::move(created);
}

std::string MemoryTarget::create_table_sql(const TargetTable& table) const {
  std::string sql = "CREATE TABLE " + table.qualified_name() + " (";
  for (const auto& column : table.columns) {
    sql += column.name + " " + column.pg_type + (column.not_null ? " NOT NULL" : "") + ", ";
  }
  return sql + "PRIMARY KEY (...))";
}

void MemoryTarget::build_keys(const TargetTable& table) {
  auto& st = stored(table);
  if (!st.shape.primary_key.empty() || table.primary_key.empty()) {
    return;
  }
  auto shape = st.shape;
  shape.primary_key = table.primary_key;
  std::set<std::vector<std::string>> keys;
  for (const auto& row : st.rows) {
    if (!keys.insert(key_of(shape, row)).second) {
      throw target_error(table, "could not create unique index: duplicate key", "23505");
    }
  }
  st.shape.primary_key = table.primary_key;
  st.shape.indexes = table.indexes;
}

void MemoryTarget::relax_unique_indexes(const TargetTable& table) {
  for (auto& index : stored(table).shape.indexes) {
    index.unique = false;
  }
}

std::unique_ptr<target::LoadSession> MemoryTarget::begin_load(const TargetTable& table,
                                                              target::LoadMode mode) {
  stored(table);
  return std::make_unique<MemoryLoad>(*this, table, mode);
}

void MemoryTarget::ensure_tool_columns(const TargetTable& table) {
  auto& st = stored(table);
  for (const auto& [name, type] : {std::pair<std::string, std::string>{k_digest_column, "bigint"},
                                   std::pair<std::string, std::string>{k_seal_column, "bigint"},
                                   std::pair<std::string, std::string>{
                                       table.soft_delete_column, "timestamp with time zone"}}) {
    const bool present = std::any_of(st.shape.columns.begin(),
                                     st.shape.columns.end(),
                                     [&](const TargetColumn& c) { return c.name == name; });
    if (!name.empty() && !present) {
      st.shape.columns.push_back(TargetColumn{name, type, false, {}, false});
      for (auto& row : st.rows) {
        row.emplace_back();
      }
    }
  }
  st.shape.soft_delete_column = table.soft_delete_column;
}

void MemoryTarget::alter_table(const TargetTable& table, const std::vector<SchemaChange>& changes) {
  auto st = stored(table); // a copy: one transaction, all changes or none
  for (const auto& change : changes) {
    const auto column =
        std::find_if(st.shape.columns.begin(), st.shape.columns.end(), [&](const TargetColumn& c) {
          return c.name == change.column.name;
        });
    if (change.kind == SchemaChange::Kind::add_column && column == st.shape.columns.end()) {
      auto added = change.column;
      added.not_null = false;
      st.shape.columns.push_back(added);
      for (auto& row : st.rows) {
        row.emplace_back();
      }
    } else if (column == st.shape.columns.end()) {
      throw target_error(table, "column " + change.column.name + " does not exist", "42703");
    } else if (change.kind == SchemaChange::Kind::widen_type) {
      column->pg_type = change.column.pg_type;
    } else if (change.kind == SchemaChange::Kind::add_enum_label) {
      column->allowed_values.push_back(change.label);
    }
  }
  stored(table) = std::move(st);
}

std::string MemoryTarget::alter_table_sql(const TargetTable& table,
                                          const std::vector<SchemaChange>& changes) const {
  std::string sql;
  for (const auto& change : changes) {
    sql += "ALTER TABLE " + table.qualified_name() + " -- " + change.describe() + ";\n";
  }
  return sql;
}

std::uint64_t MemoryTarget::count_rows(const TargetTable& table) {
  const auto& st = stored(table);
  return static_cast<std::uint64_t>(
      std::count_if(st.rows.begin(), st.rows.end(), [&](const TargetRow& r) {
        return !soft_deleted(st.shape, r);
      }));
}

std::uint64_t MemoryTarget::count_null(const TargetTable& table, const std::string& column) {
  const auto& st = stored(table);
  const auto index = index_of(st.shape, column);
  return static_cast<std::uint64_t>(
      std::count_if(st.rows.begin(), st.rows.end(), [&](const TargetRow& r) {
        return !soft_deleted(st.shape, r) && !r[index];
      }));
}

// Each live row's stored digest (nullopt when it has none) with the chunk it falls in.
void MemoryTarget::each_digest(
    const TargetTable& table,
    const ComparePlan& plan,
    const std::function<void(const TargetRow&, const std::string&, std::optional<std::uint64_t>)>&
        visit) {
  if (plan.digest_column.empty()) {
    throw Error(ErrorArea::internal, "MemoryTarget does not support digests of normalised values");
  }
  const auto& st = stored(table);
  const auto digest_index = index_of(st.shape, plan.digest_column);
  for (const auto& row : st.rows) {
    if (soft_deleted(st.shape, row)) {
      continue;
    }
    std::string id = "0";
    if (plan.chunking.kind == Chunking::Kind::range) {
      id = range_chunk_of(row[index_of(st.shape, plan.key.target_name)].value_or(""),
                          plan.chunking.width_or_buckets);
    } else if (plan.chunking.kind == Chunking::Kind::hash) {
      throw Error(ErrorArea::internal, "MemoryTarget does not support hash chunks");
    }
    const auto& digest = row[digest_index];
    visit(row,
          id,
          digest && seal_holds(st.shape, row)
              ? std::optional(static_cast<std::uint64_t>(std::stoll(*digest)))
              : std::nullopt);
  }
}

std::vector<ChunkDigest> MemoryTarget::chunk_digests(const TargetTable& table,
                                                     const ComparePlan& plan) {
  std::map<std::string, ChunkDigest> chunks;
  std::map<std::string, DecimalSum> sums;
  each_digest(table, plan, [&](const TargetRow&, const std::string& id, auto digest) {
    const auto bits = digest.value_or(0U);
    if (!in_slice(plan, id)) {
      return;
    }
    auto& chunk = chunks[id];
    chunk.id = id;
    ++chunk.rows;
    chunk.hash ^= bits;
    chunk.rows_unsealed += digest ? 0U : 1U;
    sums[id].add(bits);
  });
  std::vector<ChunkDigest> out;
  for (auto& [id, chunk] : chunks) {
    if (plan.chunking.kind == Chunking::Kind::whole) {
      chunk.hash_sum = sums[id].text();
    }
    out.push_back(std::move(chunk));
  }
  return out;
}

std::vector<RowDigest> MemoryTarget::row_digests(const TargetTable& table,
                                                 const ChunkFilter& chunk) {
  const auto& plan = *chunk.plan;
  const auto& shape = stored(table).shape;
  std::vector<RowDigest> out;
  each_digest(table, plan, [&](const TargetRow& row, const std::string& id, auto digest) {
    if (id != chunk.id) {
      return;
    }
    RowDigest found;
    for (const auto& key : plan.key_columns) {
      found.key.push_back(row[index_of(shape, key.target_name)]);
    }
    found.hash = digest;
    found.written_by_migrate = row[index_of(shape, plan.digest_column)].has_value();
    out.push_back(std::move(found));
  });
  return out;
}

bool MemoryTarget::is_empty(const TargetTable& table) {
  return stored(table).rows.empty();
}

std::string MemoryTarget::identity(const TargetTable& table) {
  return std::to_string(stored(table).oid);
}

TargetCatalog MemoryTarget::catalog(const TargetTable& table, const std::string& serial_column) {
  const auto& st = stored(table);
  auto out = m_catalogs[table.qualified_name()];
  if (out.columns.empty()) {
    for (const auto& column : st.shape.columns) {
      out.columns.push_back({column.name, column.not_null, false});
    }
  }
  for (const auto& index : st.shape.indexes) {
    const auto name = fit_identifier(table.name + "_" + index.name);
    if (out.index(name) == nullptr) {
      out.indexes.push_back({name, index.unique, true});
    }
  }
  if (!serial_column.empty()) {
    const auto column = index_of(st.shape, serial_column);
    for (const auto& row : st.rows) {
      if (row[column]) {
        const std::int64_t value = std::stoll(*row[column]);
        out.max_value = out.max_value ? std::max(*out.max_value, value) : value;
      }
    }
  }
  return out;
}

void MemoryTarget::execute(const TargetTable& table, const std::string& sql) {
  stored(table);
  for (const auto& [text, sqlstate] : m_failing) {
    if (sql.find(text) != std::string::npos) {
      throw Error(ErrorArea::target,
                  "statement refused",
                  ErrorContext{.table = table.name, .sql = sql, .sqlstate = sqlstate});
    }
  }
  m_executed.push_back(sql);
}

std::vector<std::string> MemoryTarget::orphan_keys(const TargetForeignKey& key, std::size_t limit) {
  const auto& child = m_tables.at(key.schema + "." + key.table);
  const auto& parent = m_tables.at(key.referenced_schema + "." + key.referenced_table);
  std::set<std::vector<std::string>> present;
  for (const auto& row : parent.rows) {
    std::vector<std::string> values;
    for (const auto& column : key.referenced_columns) {
      values.push_back(row[index_of(parent.shape, column)].value_or(""));
    }
    present.insert(values);
  }
  std::vector<std::string> out;
  for (const auto& row : child.rows) {
    std::vector<std::string> values;
    std::string text;
    for (const auto& column : key.columns) {
      const auto& value = row[index_of(child.shape, column)];
      if (!value) {
        break; // MATCH SIMPLE: a NULL in the key references nothing
      }
      values.push_back(*value);
      text += (text.empty() ? "" : ",") + column + "=" + *value;
    }
    if (values.size() == key.columns.size() && present.count(values) == 0 && out.size() < limit) {
      out.push_back(text);
    }
  }
  return out;
}

void MemoryTarget::set_catalog(const TargetTable& table, TargetCatalog catalog) {
  m_catalogs[table.qualified_name()] = std::move(catalog);
}

void MemoryTarget::fail_statements(std::string containing, std::string sqlstate) {
  m_failing.emplace_back(std::move(containing), std::move(sqlstate));
}

void MemoryTarget::drop_table(const TargetTable& table) {
  m_tables.erase(table.qualified_name());
}

} // namespace migrate::fakes

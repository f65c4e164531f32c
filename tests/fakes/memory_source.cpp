#include "fakes/memory_source.hpp"

#include "fakes/decimal_sum.hpp"

#include "migrate/convert/row_digest.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/timestamp_text.hpp"

#include <algorithm>

namespace migrate::fakes {
namespace {

bool is_integer_type(const std::string& data_type) {
  return data_type == "tinyint" || data_type == "smallint" || data_type == "mediumint"
         || data_type == "int" || data_type == "bigint";
}

bool is_temporal_type(const std::string& data_type) {
  return data_type == "datetime" || data_type == "timestamp";
}

// Decimal integers by value: sign, then length, then digits.
int compare_integers(const std::string& a, const std::string& b) {
  const bool a_negative = !a.empty() && a[0] == '-';
  const bool b_negative = !b.empty() && b[0] == '-';
  if (a_negative != b_negative) {
    return a_negative ? -1 : 1;
  }
  int magnitude = a.size() != b.size() ? (a.size() < b.size() ? -1 : 1) : a.compare(b);
  magnitude = magnitude < 0 ? -1 : (magnitude > 0 ? 1 : 0);
  return a_negative ? -magnitude : magnitude;
}

// 'YYYY-MM-DD HH:MM:SS[.f...]' with six fraction digits, so text order is time order.
std::string padded_instant(std::string text) {
  if (text.size() == 19) {
    text += '.';
  }
  while (text.size() < 26) {
    text += '0';
  }
  return text;
}

class VectorReader : public source::RowReader {
public:
  explicit VectorReader(std::vector<Row> rows)
      : m_rows(std::move(rows)) {}

  bool next(RowView& row) override {
    if (m_next == m_rows.size()) {
      return false;
    }
    const auto& values = m_rows[m_next++];
    m_pointers.assign(values.size(), nullptr);
    m_lengths.assign(values.size(), 0);
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i]) {
        m_pointers[i] = values[i]->data();
        m_lengths[i] = values[i]->size();
      }
    }
    row = RowView{m_pointers.data(), m_lengths.data(), values.size()};
    return true;
  }

private:
  std::vector<Row> m_rows;
  std::size_t m_next = 0;
  std::vector<const char*> m_pointers;
  std::vector<unsigned long> m_lengths;
};

Error unsupported(const std::string& what) {
  return Error(ErrorArea::internal, "MemorySource does not support " + what);
}

} // namespace

int compare_source_values(const std::string& a, const std::string& b, const SourceColumn& column) {
  if (is_integer_type(column.data_type)) {
    return compare_integers(a, b);
  }
  const auto order = is_temporal_type(column.data_type)
                         ? padded_instant(a).compare(padded_instant(b))
                         : a.compare(b);
  return order < 0 ? -1 : (order > 0 ? 1 : 0);
}

MemorySource::MemorySource() {
  m_version = parse_server_version("8.0.36", "MySQL Community Server - GPL");
}

void MemorySource::put_table(SourceTable shape, std::vector<Row> rows) {
  const auto name = shape.name;
  m_tables[name] = Table{std::move(shape), std::move(rows)};
}

void MemorySource::upsert(const std::string& name, Row row) {
  auto& t = m_tables.at(name);
  std::vector<std::string> key;
  for (const auto& column : t.shape.primary_key) {
    key.push_back(row.at(column_index(t, column)).value_or(""));
  }
  erase(name, key);
  t.rows.push_back(std::move(row));
}

void MemorySource::erase(const std::string& name, const std::vector<std::string>& key) {
  auto& t = m_tables.at(name);
  t.rows.erase(std::remove_if(t.rows.begin(),
                              t.rows.end(),
                              [&](const Row& row) {
                                for (std::size_t i = 0; i < key.size(); ++i) {
                                  const auto index = column_index(t, t.shape.primary_key[i]);
                                  if (row[index].value_or("") != key[i]) {
                                    return false;
                                  }
                                }
                                return true;
                              }),
               t.rows.end());
}

const std::vector<Row>& MemorySource::rows(const std::string& name) const {
  return table(name).rows;
}

void MemorySource::set_auto_increment(const std::string& name,
                                      const std::string& column,
                                      std::uint64_t next) {
  m_tables.at(name).counter = AutoIncrement{column, next};
}

void MemorySource::set_foreign_keys(const std::string& name, std::vector<SourceForeignKey> keys) {
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  m_tables.at(name).foreign_keys = std::move(keys);
}

void MemorySource::set_checks(const std::string& name, std::vector<SourceCheck> checks) {
  table(name); // throws for an unknown table
  m_tables.at(name).checks = std::move(checks);
}

std::vector<SourceCheck> MemorySource::check_constraints(const std::string& name) {
  return table(name).checks;
}

std::optional<AutoIncrement> MemorySource::auto_increment(const std::string& name) {
  const auto& t = table(name);
  if (!t.counter) {
    return std::nullopt;
  }
  auto out = *t.counter;
  const auto index = column_index(t, out.column);
  for (const auto& row : t.rows) {
    if (row[index]) {
      out.next = std::max<std::uint64_t>(out.next.value_or(1), std::stoull(*row[index]) + 1);
    }
  }
  return out;
}

std::vector<SourceForeignKey> MemorySource::foreign_keys(const std::string& name) {
  return table(name).foreign_keys;
}

const MemorySource::Table& MemorySource::table(const std::string& name) const {
  const auto found = m_tables.find(name);
  if (found == m_tables.end()) {
    throw Error(
        ErrorArea::source, "Table '" + name + "' doesn't exist", ErrorContext{.table = name});
  }
  return found->second;
}

std::size_t MemorySource::column_index(const Table& t, const std::string& column) const {
  for (std::size_t i = 0; i < t.shape.columns.size(); ++i) {
    if (t.shape.columns[i].name == column) {
      return i;
    }
  }
  throw Error(
      ErrorArea::source, "Unknown column '" + column + "'", ErrorContext{.table = t.shape.name});
}

// Every row: the fake evaluates no SQL condition.
std::vector<const Row*> MemorySource::selected(const Table& t, const std::string& where) const {
  if (!where.empty()) {
    throw unsupported("the condition " + where);
  }
  std::vector<const Row*> out;
  for (const auto& row : t.rows) {
    out.push_back(&row);
  }
  return out;
}

source::SourceServerInfo MemorySource::server_info() {
  source::SourceServerInfo info;
  info.version = m_version;
  info.account = "'migrate'@'%'";
  info.time_zone = "SYSTEM";
  info.system_time_zone = "UTC";
  info.utc_now = m_now;
  return info;
}

std::vector<std::string> MemorySource::table_names() {
  std::vector<std::string> out;
  for (const auto& entry : m_tables) {
    out.push_back(entry.first); // a std::map: sorted
  }
  return out;
}

SourceTable MemorySource::describe(const std::string& name) {
  return table(name).shape;
}

source::ServerClock MemorySource::server_clock(std::chrono::seconds lag,
                                               const std::string& /*zone*/) {
  return source::ServerClock{shift_timestamp(m_now, -lag), std::nullopt, {}};
}

std::optional<std::string> MemorySource::newest_timestamp(const std::string& name,
                                                          const std::string& column,
                                                          const std::string& until) {
  const auto& t = table(name);
  const auto index = column_index(t, column);
  const auto& shape = t.shape.columns[index];
  std::optional<std::string> newest;
  for (const auto& row : t.rows) {
    const auto& value = row.at(index);
    if (value && compare_source_values(*value, until, shape) <= 0
        && (!newest || compare_source_values(*value, *newest, shape) > 0)) {
      newest = value;
    }
  }
  return newest;
}

KeyRange MemorySource::key_range(const std::string& name,
                                 const std::string& key_column,
                                 const std::string& where) {
  const auto& t = table(name);
  const auto index = column_index(t, key_column);
  KeyRange range;
  for (const auto* row : selected(t, where)) {
    const auto& key = row->at(index).value_or("");
    const auto& column = t.shape.columns[index];
    if (range.rows++ == 0 || compare_source_values(key, range.min, column) < 0) {
      range.min = key;
    }
    if (range.rows == 1 || compare_source_values(key, range.max, column) > 0) {
      range.max = key;
    }
  }
  return range;
}

namespace {

// The chunk a row falls in; hash chunks, which the fake does not compute, throw.
std::string chunk_of(const ComparePlan& plan, const std::string& key) {
  switch (plan.chunking.kind) {
  case Chunking::Kind::whole:
    return "0";
  case Chunking::Kind::range:
    return range_chunk_of(key, plan.chunking.width_or_buckets);
  case Chunking::Kind::hash:
    break;
  }
  throw unsupported("hash chunks (they depend on MySQL's collations)");
}

// A read request's filters and order, as the MySQL adapter's SQL states them.
class Matcher {
public:
  Matcher(const SourceTable& shape, const source::ReadRequest& request)
      : m_shape(shape)
      , m_request(request) {
    for (const auto& key : request.key) {
      m_key_index.push_back(index_of(key.name));
    }
    if (request.timestamp) {
      m_ts_index = index_of(request.timestamp->name);
    }
  }

  bool accepts(const Row& row) const {
    const auto& r = m_request;
    if (r.only_null_or_zero_timestamp && row[*m_ts_index]
        && row[*m_ts_index]->rfind("0000-00-00", 0) != 0) {
      return false;
    }
    if (r.chunk && r.chunk->plan->chunking.kind != Chunking::Kind::whole) {
      const auto& plan = *r.chunk->plan;
      if (chunk_of(plan, row[index_of(plan.key.source_name)].value_or("")) != r.chunk->id) {
        return false;
      }
    }
    if (r.order == source::ReadOrder::by_key) {
      return r.after_key.empty() || compare_keys(row, r.after_key) > 0;
    }
    if ((r.after_timestamp || r.until_timestamp) && !row[*m_ts_index]) {
      return false; // NULL passes no comparison
    }
    if (r.after_timestamp) {
      const int order = compare_ts(row, *r.after_timestamp);
      if (order < 0
          || (order == 0 && (r.after_key.empty() || compare_keys(row, r.after_key) <= 0))) {
        return false;
      }
    }
    return !r.until_timestamp || compare_ts(row, *r.until_timestamp) <= 0;
  }

  // ORDER BY (timestamp,) key; NULL first, as MySQL sorts it.
  bool before(const Row& a, const Row& b) const {
    if (m_request.order == source::ReadOrder::by_timestamp_then_key && m_ts_index) {
      const auto& ta = a[*m_ts_index];
      const auto& tb = b[*m_ts_index];
      if (ta.has_value() != tb.has_value()) {
        return !ta.has_value();
      }
      if (ta && *ta != *tb) {
        return compare_source_values(*ta, *tb, *m_request.timestamp) < 0;
      }
    }
    std::vector<std::string> key_b;
    for (const auto index : m_key_index) {
      key_b.push_back(b[index].value_or(""));
    }
    return compare_keys(a, key_b) < 0;
  }

private:
  std::size_t index_of(const std::string& column) const {
    for (std::size_t i = 0; i < m_shape.columns.size(); ++i) {
      if (m_shape.columns[i].name == column) {
        return i;
      }
    }
    throw Error(
        ErrorArea::source, "Unknown column '" + column + "'", ErrorContext{.table = m_shape.name});
  }

  int compare_keys(const Row& row, const std::vector<std::string>& key) const {
    for (std::size_t i = 0; i < key.size() && i < m_key_index.size(); ++i) {
      const int order =
          compare_source_values(row[m_key_index[i]].value_or(""), key[i], m_request.key[i]);
      if (order != 0) {
        return order;
      }
    }
    return 0;
  }

  int compare_ts(const Row& row, const std::string& value) const {
    return compare_source_values(*row[*m_ts_index], value, *m_request.timestamp);
  }

  const SourceTable& m_shape;
  const source::ReadRequest& m_request;
  std::vector<std::size_t> m_key_index;
  std::optional<std::size_t> m_ts_index;
};

} // namespace

std::vector<const Row*> MemorySource::matching(const source::ReadRequest& request) const {
  const auto& t = table(request.table);
  const Matcher matcher(t.shape, request);
  std::vector<const Row*> rows;
  for (const auto* row : selected(t, request.where)) {
    if (matcher.accepts(*row)) {
      rows.push_back(row);
    }
  }
  std::stable_sort(
      rows.begin(), rows.end(), [&](const Row* a, const Row* b) { return matcher.before(*a, *b); });
  return rows;
}

std::unique_ptr<source::RowReader> MemorySource::read(const source::ReadRequest& request) {
  const auto& t = table(request.table);
  std::vector<Row> projected;
  for (const auto* row : matching(request)) {
    Row out;
    for (const auto& column : request.columns) {
      out.push_back((*row)[column_index(t, column.name)]);
    }
    projected.push_back(std::move(out));
  }
  return std::make_unique<VectorReader>(std::move(projected));
}

std::uint64_t MemorySource::count_rows(const source::ReadRequest& request) {
  return matching(request).size();
}

// Each row's digest (the one the load stores) with the chunk it falls in.
void MemorySource::each_digest(
    const std::string& name,
    const ComparePlan& plan,
    const std::function<void(const Row&, const std::string&, std::uint64_t)>& visit) const {
  if (plan.digest_column.empty()) {
    throw unsupported("digests of normalised values (they are the servers' SQL)");
  }
  const auto& t = table(name);
  std::vector<std::size_t> columns;
  for (const auto& column : plan.columns) {
    columns.push_back(column_index(t, column.source_name));
  }
  const bool whole = plan.chunking.kind == Chunking::Kind::whole;
  const auto key_index = whole ? 0 : column_index(t, plan.key.source_name);
  convert::RowDigester digester(plan.columns, plan.digest_fingerprint);
  for (const auto* row : selected(t, plan.where)) {
    std::vector<const char*> pointers;
    std::vector<unsigned long> lengths;
    for (const auto index : columns) {
      const auto& value = (*row)[index];
      pointers.push_back(value ? value->data() : nullptr);
      lengths.push_back(value ? value->size() : 0);
    }
    const auto bits = static_cast<std::uint64_t>(
        digester.digest(RowView{pointers.data(), lengths.data(), pointers.size()}));
    visit(*row, whole ? std::string("0") : chunk_of(plan, (*row)[key_index].value_or("")), bits);
  }
}

std::vector<ChunkDigest> MemorySource::chunk_digests(const std::string& name,
                                                     const ComparePlan& plan) {
  std::map<std::string, ChunkDigest> chunks;
  std::map<std::string, DecimalSum> sums;
  each_digest(name, plan, [&](const Row&, const std::string& id, std::uint64_t bits) {
    if (!in_slice(plan, id)) {
      return;
    }
    auto& chunk = chunks[id];
    chunk.id = id;
    ++chunk.rows;
    chunk.hash ^= bits;
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

// The key values as the comparison prints them: integer keys only, whose text is their digits.
std::vector<RowDigest> MemorySource::row_digests(const std::string& name,
                                                 const ChunkFilter& chunk) {
  const auto& plan = *chunk.plan;
  const auto& t = table(name);
  std::vector<RowDigest> out;
  each_digest(name, plan, [&](const Row& row, const std::string& id, std::uint64_t bits) {
    if (id != chunk.id) {
      return;
    }
    RowDigest digest;
    for (const auto& key : plan.key_columns) {
      digest.key.push_back(row[column_index(t, key.source_name)]);
    }
    digest.hash = bits;
    out.push_back(std::move(digest));
  });
  return out;
}

std::vector<DigestSample>
MemorySource::digest_samples(const std::string& name, const ChunkFilter& chunk, std::size_t limit) {
  const auto& plan = *chunk.plan;
  const auto& t = table(name);
  convert::RowDigester digester(plan.columns, plan.digest_fingerprint);
  std::vector<DigestSample> out;
  each_digest(name, plan, [&](const Row& row, const std::string& id, std::uint64_t bits) {
    if (id != chunk.id || out.size() >= limit) {
      return;
    }
    DigestSample sample;
    for (std::size_t i = 0; i < plan.columns.size(); ++i) {
      const auto& value = row[column_index(t, plan.columns[i].source_name)];
      sample.values.push_back(value);
      sample.parts.push_back(
          digester.part_text(i, value ? std::optional<std::string_view>(*value) : std::nullopt));
    }
    sample.digest = bits;
    out.push_back(std::move(sample));
  });
  return out;
}

} // namespace migrate::fakes

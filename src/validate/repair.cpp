#include "migrate/validate/repair.hpp"

#include "migrate/convert/compare_plan.hpp"
#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/row_digest.hpp"
#include "migrate/core/log_text.hpp"

#include <spdlog/spdlog.h>

namespace migrate::validate {
namespace {

// COPY text is sent in pieces of about this size, so a large chunk is never held whole.
constexpr std::size_t k_write_bytes = 4U << 20U;

source::ReadRequest chunk_read(const TableView& table, const ChunkFilter& chunk) {
  source::ReadRequest read;
  read.table = table.mapping->source_table;
  for (const auto& column : table.plan.columns) {
    read.columns.push_back(column.source);
  }
  for (const auto position : table.plan.key_positions) {
    read.key.push_back(table.plan.columns[position].source);
  }
  read.order = source::ReadOrder::by_key;
  read.chunk = chunk;
  read.where = table.plan.where;
  return read;
}

// Streams one chunk's rows into the session; returns how many the conversion refused.
std::uint64_t stage_chunk(const TableView& table,
                          source::Source& source,
                          target::LoadSession& session,
                          const ChunkFilter& chunk) {
  convert::RowEncoder encoder(table.plan, session.choose_format(convert::copy_format(table.plan)));
  convert::RowDigester digester(convert::digest_columns(table.plan),
                                convert::mapping_fingerprint(table.plan));
  const auto reader = source.read(chunk_read(table, chunk));
  std::string text;
  std::size_t rows = 0;
  std::uint64_t rejected = 0;
  RowView row;
  while (reader->next(row)) {
    if (const auto rejection = encoder.encode(row, text)) {
      ++rejected;
      spdlog::warn("table={} repair_skips key={} reason={}",
                   table.mapping->source_table,
                   quote_field(encoder.render_key(row)),
                   quote_field(rejection->reason));
      continue;
    }
    convert::append_digest(digester.digest(row), text, encoder.format());
    ++rows;
    if (text.size() >= k_write_bytes) {
      session.write(text, rows);
      text.clear();
      rows = 0;
    }
  }
  // The rest; a chunk MySQL no longer has writes nothing, and commit() still reconciles it.
  session.write(text, rows);
  return rejected;
}

} // namespace

RepairResult repair_chunks(const TableView& table,
                           source::Source& source,
                           target::Target& target,
                           const ComparePlan& plan,
                           const std::vector<std::string>& chunk_ids) {
  RepairResult result;
  // A target made by an older version lacks the row digest column the load writes.
  target.ensure_tool_columns(table.target);
  const auto session = target.begin_load(table.target, target::LoadMode::upsert);
  for (const auto& id : chunk_ids) {
    const ChunkFilter chunk{&plan, id};
    const auto rejected = stage_chunk(table, source, *session, chunk);
    result.rejected += rejected;
    const bool deletes = table.deletes != config::DeletePolicy::ignore && rejected == 0;
    const target::Reconcile reconcile{chunk, table.deletes == config::DeletePolicy::soft};
    const auto counts = session->commit(deletes ? &reconcile : nullptr);
    if (!deletes) {
      result.extras_kept.push_back(id);
    }
    result.inserted += counts.inserted;
    result.updated += counts.updated;
    result.deleted += counts.deleted;
    result.unchanged += counts.unchanged;
    spdlog::info("table={} repaired chunk={} inserted={} updated={} deleted={} rejected={}",
                 table.mapping->source_table,
                 id,
                 counts.inserted,
                 counts.updated,
                 counts.deleted,
                 rejected);
  }
  return result;
}

} // namespace migrate::validate

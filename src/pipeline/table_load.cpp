#include "pipeline/table_load.hpp"

#include "migrate/convert/compare_plan.hpp"
#include "migrate/convert/copy_binary.hpp"
#include "migrate/convert/row_digest.hpp"
#include "migrate/convert/row_encoder.hpp"
#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <string_view>
#include <vector>

namespace migrate::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

std::string to_hex(std::string_view bytes) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += k_hex[byte >> 4U];
    out += k_hex[byte & 0xFU];
  }
  return out;
}

// Makes room for one row's COPY text before it is encoded, so a row of megabytes grows the buffer
// once to its size instead of doubling it past it. Escaped text and bytea hex take at most twice
// their bytes, plus a few per value.
void reserve_for(const RowView& row, std::string& buffer) {
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < row.size; ++i) {
    bytes += row.lengths[i];
  }
  const std::size_t needed = buffer.size() + 2 * bytes + 8 * row.size + 64;
  if (needed > buffer.capacity()) {
    buffer.reserve(needed);
  }
}

// The extract side of a stream: what the thread that reads and encodes rows keeps.
struct Extract {
  Extract(const convert::TablePlan& plan, CopyFormat format, bool seal)
      : encoder(plan, format, seal)
      , digester(convert::digest_columns(plan), convert::mapping_fingerprint(plan)) {}

  convert::RowEncoder encoder;
  convert::RowDigester digester;
  std::uint64_t rows_read = 0;
  std::uint64_t null_timestamps = 0;
};

void update_read_position(const convert::TablePlan& plan,
                          const RowView& row,
                          ReadPosition& cursor) {
  if (plan.timestamp_position) {
    const auto position = *plan.timestamp_position;
    if (row.is_null(position)) {
      cursor.timestamp.reset();
    } else if (cursor.timestamp) {
      cursor.timestamp->assign(row.at(position)); // reuses the buffer: no allocation per row
    } else {
      cursor.timestamp.emplace(row.at(position));
    }
  }
  cursor.key.resize(plan.key_positions.size());
  for (std::size_t i = 0; i < plan.key_positions.size(); ++i) {
    cursor.key[i].assign(row.at(plan.key_positions[i]));
  }
}

// Encodes one row into `batch`: its COPY line and digest, or its quarantine entry.
void add_row(const RunState& run, const RowView& row, Batch& batch, Extract& x) {
  reserve_for(row, batch.text);
  if (const auto rejection = x.encoder.encode(row, batch.text)) {
    batch.rejected.push_back(state::QuarantineEntry{run.mapping.source_table,
                                                    x.encoder.render_key(row),
                                                    run.plan.columns[rejection->column].source.name,
                                                    rejection->reason,
                                                    to_hex(rejection->raw),
                                                    0,
                                                    {}});
  } else {
    convert::append_digest(x.digester.digest(row), batch.text, x.encoder.format());
    if (x.encoder.seals()) {
      x.encoder.append_seal(batch.text);
    }
    ++batch.rows;
    if (!run.quarantined_keys.empty()) {
      auto key = x.encoder.render_key(row);
      if (run.quarantined_keys.count(key) != 0) {
        batch.released.push_back(std::move(key));
      }
    }
  }
  update_read_position(run.plan, row, batch.last);
  ++x.rows_read;
  if (run.plan.timestamp_position && row.is_null(*run.plan.timestamp_position)) {
    ++x.null_timestamps;
  }
}

// The extract thread: reads and encodes rows into batches of batch_size rows or 4 MiB.
void extract(const RunState& run,
             const source::ReadRequest& read,
             Extract& x,
             BatchSink& sink,
             source::Source& source) {
  auto reader = source.read(read);
  Batch batch{sink.buffer(), 0, {}, {}, {}};
  RowView row;
  while (reader->next(row)) {
    add_row(run, row, batch, x);
    if (batch.entries() >= run.mapping.batch_size || batch.text.size() >= k_batch_bytes) {
      ReadPosition last = batch.last;
      if (!sink.push(std::move(batch))) {
        return;
      }
      batch = Batch{sink.buffer(), 0, std::move(last), {}, {}};
    }
  }
  if (batch.entries() > 0) {
    sink.push(std::move(batch));
  }
}

void keep_rejected(RunState& run, std::vector<state::QuarantineEntry>& rejected) {
  for (auto& entry : rejected) {
    entry.table_run_id = run.table_run_id;
  }
  if (!run.held) {
    // Asked once per run, before this run's rows join it.
    run.held.emplace();
    for (const auto& entry : run.store.quarantined(run.mapping.source_table)) {
      run.held->insert({entry.key, entry.column, entry.reason});
    }
  }
  run.store.quarantine(rejected);
  run.rejections.add(rejected, *run.held);
  rejected.clear();
}

void commit_group(RunState& run,
                  target::LoadSession& session,
                  CommitGroup& group,
                  const CommitRules& rules,
                  const target::Reconcile* reconcile,
                  std::uint64_t rows_to_stage = 0) {
  const auto counts = rules.replace ? session.replace(rows_to_stage) : session.commit(reconcile);
  const std::lock_guard guard(run.lock);
  run.store.release(run.mapping.source_table, group.released);
  group.released.clear();
  if (!group.rejected.empty()) {
    // Before the position passes them: a rejected row is never lost.
    keep_rejected(run, group.rejected);
  }
  run.result.counts.inserted += counts.inserted;
  run.result.counts.updated += counts.updated;
  run.result.counts.unchanged += counts.unchanged;
  run.result.counts.deleted += counts.deleted;
  // Only now that PostgreSQL holds the rows may the position move past them.
  std::string position;
  if (rules.after) {
    const auto next = rules.after(group.last);
    run.save_position(next, rules.position_name);
    position = next.to_string();
  }
  spdlog::debug("table={} committed inserted={} updated={} unchanged={} deleted={} position={}",
                run.mapping.source_table,
                counts.inserted,
                counts.updated,
                counts.unchanged,
                counts.deleted,
                quote_field(position));
  if (run.options.deadline && Clock::now() >= *run.options.deadline) {
    throw Error(ErrorArea::deadline,
                "max_runtime reached: stopped after a commit; the next run goes on from "
                    + (position.empty() ? std::string("here") : position),
                ErrorContext{.table = run.mapping.source_table});
  }
}

// The stream's last commit: a replacement, a chunk's reconcile, or what is left.
void finish_stream(RunState& run,
                   target::LoadSession& session,
                   const CommitRules& rules,
                   CommitGroup& group,
                   std::uint64_t rows_read) {
  if (rules.replace && !group.rejected.empty()) {
    // Replacing would delete the target's copy of every row the quarantine holds.
    keep_rejected(run, group.rejected);
    throw Error(ErrorArea::convert,
                std::to_string(run.rejections.rows())
                    + " rows could not be converted (see: migrate quarantine --table "
                    + run.mapping.source_table
                    + "); the target keeps its content until every row can be written",
                ErrorContext{.table = run.mapping.source_table});
  }
  if (rules.replace && group.rows > 0) {
    // Counted on the extract side, checked against what PostgreSQL staged before it commits.
    commit_group(run, session, group, rules, nullptr, rows_read);
  } else if (group.rows > 0 || rules.reconcile != nullptr) {
    // A chunk with a rejected row was not staged whole: its target rows must not be deleted.
    commit_group(run, session, group, rules, group.rejected.empty() ? rules.reconcile : nullptr);
  }
}

void add_read_counts(RunState& run,
                     std::uint64_t rows_read,
                     std::uint64_t null_timestamps,
                     const convert::EncodeStats& stats) {
  const std::lock_guard guard(run.lock);
  run.result.counts.rows_read += rows_read;
  run.result.counts.null_timestamps += null_timestamps;
  run.result.counts.zero_dates += stats.zero_dates;
  run.result.counts.repaired_encodings += stats.repaired_encodings;
  run.result.counts.bad_text_fixed += stats.bad_text_fixed;
  for (std::size_t i = 0; i < stats.zero_dates_by_column.size(); ++i) {
    if (stats.zero_dates_by_column[i] > 0) {
      spdlog::warn("table={} column={} zero_dates={} written as {}",
                   run.mapping.source_table,
                   run.plan.columns[i].source.name,
                   stats.zero_dates_by_column[i],
                   run.plan.zero_date.value_or("NULL"));
    }
  }
}

} // namespace

void TableLoad::stream(const source::ReadRequest& read,
                       target::LoadSession& session,
                       const CommitRules& rules,
                       source::Source* source) {
  const auto format = session.choose_format(convert::copy_format(m_run.plan));
  Extract x(m_run.plan, format, session.rows_carry_seal());
  StreamHandlers handlers;
  handlers.produce = [&](BatchSink& sink) {
    extract(m_run, read, x, sink, source != nullptr ? *source : m_run.source);
  };
  handlers.write = [&](const Batch& batch) {
    if (m_run.stopping) {
      throw Error(ErrorArea::internal,
                  "stopped: another key range of the table failed",
                  ErrorContext{.table = m_run.mapping.source_table});
    }
    session.write(batch.text, batch.rows);
    if (m_run.options.progress != nullptr) {
      m_run.options.progress->rows_loaded(m_run.mapping.source_table, batch.entries());
    }
  };
  handlers.commit = [&](CommitGroup& group) {
    commit_group(m_run, session, group, rules, nullptr);
  };
  // A run that hangs on a lock or a slow query is visible in the log.
  handlers.stalled = [&](std::chrono::duration<double> waited) {
    spdlog::warn("table={} waiting for MySQL: no rows for {:.0f} s (reading {}{})",
                 m_run.mapping.source_table,
                 waited.count(),
                 read.order == source::ReadOrder::by_key ? "in key order" : "after the position",
                 read.chunk ? ", chunk " + read.chunk->id : std::string());
  };
  try {
    auto last_group =
        run_stream(handlers, StreamSettings{rules.commit_rows, m_run.options.stall_warning});
    finish_stream(m_run, session, rules, last_group, x.rows_read);
  } catch (...) {
    add_read_counts(m_run, x.rows_read, x.null_timestamps, x.encoder.stats());
    throw;
  }
  add_read_counts(m_run, x.rows_read, x.null_timestamps, x.encoder.stats());
}

} // namespace migrate::pipeline

// `migrate check --sample`: the row digest computed both ways on the user's own rows, by the
// server's SQL (what a comparison asks of MySQL) and by the client from the values the protocol
// delivered (what a load stores), column by column. A column where the two disagree would make
// its rows differ on every comparison: named before the first run rather than found after it.
#pragma once

#include "migrate/core/compare.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace migrate::validate {

// The chunks to read for a sample of about `rows` rows spread over the table; `plan`'s chunking
// is changed to suit. Range chunks: about `rows` chunks over [min, max], one row from each. Hash
// buckets: one bucket of about `rows` rows, spread over the table by the key's hash. A table
// compared whole: its first `rows` rows.
struct SampleChunks {
  std::vector<std::string> ids;
  std::size_t rows_per_chunk = 0;
};
SampleChunks plan_sample(ComparePlan& plan, const KeyRange& range, std::size_t rows);

// One column of one row on which the server's SQL and the client disagree.
struct SampleDisagreement {
  std::string column; // the source column; "(row digest)" when each part agrees but the digest not
  std::string key;    // "id=42, region=eu"; "(no key)" for a table compared whole
  std::string server_text;
  std::string client_text;
};

// Every disagreement in `samples` (rows of a plan with a digest column).
std::vector<SampleDisagreement> compare_samples(const ComparePlan& plan,
                                                const std::vector<DigestSample>& samples);

// "column email, row id=7: MySQL's SQL gives '3:abc', the client '3:abd'", long texts cut short.
std::string describe(const SampleDisagreement& disagreement);

} // namespace migrate::validate

// Value types of the chunked cross-engine comparison: rows are grouped into chunks by primary key,
// each chunk is digested inside MySQL and inside PostgreSQL, and only chunks whose digests differ
// have their rows fetched.
//
// The digest of a chunk is its row count plus the XOR of the first 64 bits of every row's
// SHA-256, so it does not depend on row order. SHA-256 because every server has it built in
// (MySQL's SHA2(), PostgreSQL's sha256()): MySQL 9 moved MD5() out into an optional component.
// Each value is normalised to the same text in both engines (see docs/change-detection.md);
// text-like values are replaced by their SHA-256, NULL by 'N', and the values are joined by '|':
// no value can make two rows' encodings equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace migrate {

// How one column's value is normalised for hashing, the same in both engines.
enum class HashKind {
  integer,     // decimal digits
  boolean,     // 0 / 1
  bits,        // binary digits, width digits wide
  decimal,     // digits with the column's scale
  text,        // UTF-8 text
  geometry,    // WKT
  set,         // comma-separated members
  bytes,       // lower-case hex
  date,        // YYYY-MM-DD, MySQL zero dates as NULL
  datetime,    // YYYY-MM-DD HH:MM:SS.ffffff in UTC sessions, zero dates as NULL
  time,        // seconds with six decimals
  float_value, // only NULL-ness in the row hash; the chunk's sum is compared within a tolerance
  inet,        // an address as text, without the /32 or /128 of a host
  presence, // only NULL-ness: JSON (the engines print it differently), masked or reformatted text
};

// A transformation the load applies that the source side of the comparison repeats in SQL.
struct HashTransform {
  enum class Kind { lowercase, uppercase, trim, null_if, default_value };
  Kind kind = Kind::lowercase;
  std::string value;
};

// How a column's value enters the row digest: as MySQL's text protocol sends it (which the
// comparison reproduces in SQL), never compared with PostgreSQL's text. A character value enters
// either with its length in front (so that no '|' inside it can make two rows' texts equal) or
// as its own hash: types whose values are at most 64 KB (a MySQL row holds no more outside its
// LOBs) go in whole, so the row is hashed once; values of unbounded size are hashed alone, so
// that the row's text stays far below max_allowed_packet (over which MySQL's string functions
// return NULL).
enum class SourceText {
  as_text,         // the text as sent: numbers, doubles, temporal types (SQL: CAST(v AS CHAR))
  as_sized_text,   // "<bytes>:" and the utf8mb4 text sent: CHAR, VARCHAR, ENUM, SET in any
                   // character set (SQL: CONCAT(LENGTH(b), ':', b), b the utf8mb4 bytes)
  as_sized_bytes,  // "<bytes>:" and the bytes sent: BINARY, VARBINARY, BIT
  as_hashed_text,  // SHA-256 (hex) of the utf8mb4 text sent: TEXT types, geometry as WKT
                   // (SQL: SHA2(CONVERT(v USING utf8mb4), 256))
  as_hashed_bytes, // SHA-256 (hex) of the bytes sent: BLOB types, MySQL's JSON (SQL: SHA2(v, 256))
};

struct HashColumn {
  std::string source_name;
  std::string target_name;
  HashKind kind = HashKind::text;
  int width = 0; // bits: number of digits
  std::vector<HashTransform> transforms;
  SourceText source_text = SourceText::as_text;
  std::string source_data_type; // MySQL's DATA_TYPE, for the expression that reads the value
};

// Chunks: by range of an integer first key column (an index range on both sides), by a hash
// bucket of the whole key where key order differs between the engines (collations), or one chunk
// "0" holding the whole table (tables synced by replacement, which may hold duplicate rows).
struct Chunking {
  enum class Kind { range, hash, whole };
  Kind kind = Kind::range;
  std::string width_or_buckets = "1"; // decimal text: may exceed 2^63 for unsigned keys
};

struct ComparePlan {
  std::vector<HashColumn> columns; // every mapped column, key included
  HashColumn key;                  // range chunks: the first key column
  std::vector<HashColumn> key_columns;
  Chunking chunking;
  std::optional<std::string> zero_date; // the sentinel the load writes for zero dates
  std::string where;                    // the mapping's extraction filter (source side)
  // Set: compare MySQL's digest of its own values with the digests stored in this target column
  // when the rows were loaded, which sees every column exactly. Empty: compare normalised values
  // computed on each side.
  std::string digest_column;
  std::string digest_fingerprint; // the mapping's fingerprint, part of every row digest
  // A comparison spread over several runs digests one slice of the chunks per run. 1: every chunk.
  // Range chunks: slice `slice` is a run of consecutive chunks, from `slice_first` to `slice_last`
  // (the first slice open below, the last open above: keys beyond the range are in one), read
  // as one index range; set by slice_range_plan(). Hash buckets: those whose number modulo
  // `slices` is `slice`.
  std::size_t slices = 1;
  std::size_t slice = 0;
  std::string slice_first; // range chunks: the slice's first chunk id; empty: open below
  std::string slice_last;  // range chunks: the slice's last chunk id; empty: open above
};

// Whether chunk `id` (decimal text) is in the plan's slice.
bool in_slice(const ComparePlan& plan, const std::string& id);

struct ChunkDigest {
  std::string id; // chunk number as decimal text
  std::uint64_t rows = 0;
  std::uint64_t hash = 0;         // XOR of the first 64 bits of every row's SHA-256
  std::vector<double> float_sums; // one per float_value column, in plan order
  // Whole chunking only: the exact decimal sum of every row's 64 bits read unsigned. The XOR
  // cancels a pair of equal rows; the sum counts each copy.
  std::string hash_sum;
  // Target side with row digests: rows whose seal does not hold (changed or inserted by
  // something other than migrate, or written before seals existed). Their digest is left out of
  // `hash`, and a chunk holding one never matches.
  std::uint64_t rows_unsealed = 0;

  // Equal counts, hashes and hash sums, float sums within a relative 1e-9, no unsealed row.
  bool matches(const ChunkDigest& other) const;
};

// One row of a chunk, for narrowing a differing chunk down to its rows: the row's key values, each
// as the comparison normalises it (the same text in both engines), and the row's 64 bits.
struct RowDigest {
  std::vector<std::optional<std::string>> key; // nullopt: NULL
  std::optional<std::uint64_t> hash;           // nullopt: a target row whose seal does not hold
  // Target side: the row carries a digest of MySQL's values, so migrate wrote it (even if it was
  // changed since). False for a row inserted by something else.
  bool written_by_migrate = true;
};

// One row as `migrate check --sample` tests the row digest on it: the values as a read sends them
// and, computed by the server in SQL from the same row, each column's part of the row digest and
// the row digest itself. The client computes both again from `values`: any difference is a
// value the comparison would see differ on every run.
struct DigestSample {
  std::vector<std::optional<std::string>> values; // plan.columns order; nullopt: NULL
  std::vector<std::string> parts;                 // the SQL's part of each column ("N": NULL)
  std::uint64_t digest = 0;
};

// Kinds whose text may hold any character and be of any length: each value is hashed on its own
// (SHA-256, lower-case hex, in both engines), so that no separator inside it can make two rows'
// texts equal and no value makes the row's text longer than MySQL's max_allowed_packet (over which
// its string functions return NULL). The other kinds have a short fixed alphabet without '|' or
// 'N'.
bool hashed_alone(HashKind kind);

// The SQL that joins `parts` (never NULL) with '|', the same in MySQL and PostgreSQL:
// concat_ws('|', ...). PostgreSQL functions take at most 100 arguments, so more parts are joined
// in groups whose results are joined again, which gives the same text.
std::string joined_row_sql(const std::vector<std::string>& parts);

// One chunk to read or reconcile.
struct ChunkFilter {
  const ComparePlan* plan = nullptr;
  std::string id;
};

// The bounds of range chunk `id` of `width`: key DIV width = id, with DIV truncating toward zero as
// both engines' integer division does.
struct RangeBounds {
  std::string low;
  bool low_inclusive = true;
  std::string high;
  bool high_inclusive = false;
};
RangeBounds range_bounds(const std::string& id, const std::string& width);

// The range chunk holding integer key `key` (decimal text): key DIV width.
std::string range_chunk_of(const std::string& key, const std::string& width);

// The key range of a table, to size range chunks.
struct KeyRange {
  std::uint64_t rows = 0;
  std::string min; // decimal text; empty when the table is empty
  std::string max;
};

// The width of range chunks that cut [range.min, range.max] into at most about `parts` pieces:
// ceil((max - min + 1) / parts), at least 1. The table must not be empty.
std::string range_width(const KeyRange& range, std::size_t parts);

// The ids of the range chunks of `width` that hold keys from `min` to `max`, in key order: every
// id from range_chunk_of(min) to range_chunk_of(max).
std::vector<std::string>
range_chunks_between(const std::string& min, const std::string& max, const std::string& width);

// Makes `plan` compare slice `slice` of `slices`: for range chunks, the consecutive chunks that
// share of the chunks from range.min's to range.max's.
void set_slice(ComparePlan& plan, const KeyRange& range, std::size_t slices, std::size_t slice);

// The key bounds of a range plan's slice: `low` empty when open below, `high` empty when open
// above (both empty: every chunk).
struct SliceBounds {
  std::string low;
  bool low_inclusive = true;
  std::string high;
  bool high_inclusive = false;
};
SliceBounds slice_bounds(const ComparePlan& plan);

// The SQL condition of the plan's slice, the same in MySQL and PostgreSQL: a key range over
// `key` (the first key column, quoted) for range chunks, `MOD(<chunk id>, slices) = slice` for
// hash buckets; empty for every chunk.
std::string slice_sql(const ComparePlan& plan, const std::string& key, const std::string& chunk_id);

} // namespace migrate

// The row digest: the first 64 bits of the SHA-256 of a row's values as MySQL sent them, stored
// with the row in the target's _migrate_digest column. Computed here, on the extract thread, so
// that reading costs MySQL nothing more; the comparison has MySQL compute the same digest of the
// same values in SQL (mysql/sql.cpp, source_digest_sql), which must print exactly what
// the text protocol sent. Not thread-safe: one per extract thread.
#pragma once

#include "migrate/core/compare.hpp"
#include "migrate/core/copy_format.hpp"
#include "migrate/core/row.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct evp_md_st;
struct evp_md_ctx_st;

namespace migrate::convert {

class RowDigester {
public:
  // `columns`: the mapped columns in select order; `fingerprint`: mapping_fingerprint().
  RowDigester(std::vector<HashColumn> columns, std::string fingerprint);
  ~RowDigester();
  RowDigester(const RowDigester&) = delete;
  RowDigester& operator=(const RowDigester&) = delete;

  // The digest of `row`'s first columns.size() values, as the signed bigint holding its 64 bits.
  std::int64_t digest(const RowView& row);

  // Column `column`'s part of the row's text: "N" for NULL, else the value as SourceText says.
  std::string part_text(std::size_t column, std::optional<std::string_view> value);

private:
  void append_part(SourceText how, std::string_view value);
  void sha256(std::string_view bytes, unsigned char (&digest)[32]);
  void sha256_hex(std::string_view bytes, std::string& out);

  std::vector<HashColumn> m_columns;
  std::string m_fingerprint;
  std::string m_text; // reused: no allocation per row once warm
  std::unique_ptr<evp_md_st, void (*)(evp_md_st*)> m_sha256;
  std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)> m_context;
};

// Ends the COPY row just encoded (RowEncoder::encode) with `digest` as one more field: the
// target's last column, _migrate_digest.
void append_digest(std::int64_t digest, std::string& row, CopyFormat format = CopyFormat::text);

} // namespace migrate::convert

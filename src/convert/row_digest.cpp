#include "migrate/convert/row_digest.hpp"

#include "migrate/convert/copy_binary.hpp"
#include "migrate/core/error.hpp"

#include <openssl/evp.h>

#include <charconv>

namespace migrate::convert {
namespace {

constexpr char k_hex[] = "0123456789abcdef";

} // namespace

// The digest is fetched once: EVP_DigestInit_ex() with EVP_md5() looked the algorithm up again for
// every value, which cost more than hashing it (measured: 570 ns against 110 ns for a short value).
RowDigester::RowDigester(std::vector<HashColumn> columns, std::string fingerprint)
    : m_columns(std::move(columns))
    , m_fingerprint("m:" + std::move(fingerprint))
    , m_sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr), EVP_MD_free)
    , m_context(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  if (!m_sha256 || !m_context) {
    throw Error(ErrorArea::internal, "cannot set up SHA-256 (OpenSSL)");
  }
}

RowDigester::~RowDigester() = default;

void RowDigester::sha256(std::string_view bytes, unsigned char (&digest)[32]) {
  unsigned int length = 0;
  EVP_DigestInit_ex2(m_context.get(), m_sha256.get(), nullptr);
  EVP_DigestUpdate(m_context.get(), bytes.data(), bytes.size());
  EVP_DigestFinal_ex(m_context.get(), digest, &length);
}

// Lower-case hex, as MySQL's SHA2(x, 256) prints it.
void RowDigester::sha256_hex(std::string_view bytes, std::string& out) {
  unsigned char digest[32];
  sha256(bytes, digest);
  char hex[64];
  for (std::size_t i = 0; i < 32; ++i) {
    hex[2 * i] = k_hex[digest[i] >> 4U];
    hex[2 * i + 1] = k_hex[digest[i] & 0xFU];
  }
  out.append(hex, sizeof hex);
}

// concat_ws('|', COALESCE(<s1>, 'N'), ..., 'm:<fingerprint>'), where <s> is the value as sent,
// its length and the value, or the SHA-256 of its bytes (see SourceText); then the first 16 hex
// digits of its SHA-256.
std::int64_t RowDigester::digest(const RowView& row) {
  m_text.clear();
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (row.is_null(i)) {
      m_text += 'N';
    } else {
      append_part(m_columns[i].source_text, row.at(i));
    }
    m_text += '|';
  }
  m_text += m_fingerprint;
  unsigned char digest[32];
  sha256(m_text, digest);
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits = (bits << 8U) | digest[i];
  }
  return static_cast<std::int64_t>(bits);
}

std::string RowDigester::part_text(std::size_t column, std::optional<std::string_view> value) {
  if (!value) {
    return "N";
  }
  m_text.clear(); // scratch space between rows
  append_part(m_columns.at(column).source_text, *value);
  return m_text;
}

void RowDigester::append_part(SourceText how, std::string_view value) {
  switch (how) {
  case SourceText::as_text:
    m_text += value;
    return;
  case SourceText::as_sized_text:
  case SourceText::as_sized_bytes: {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value.size()).ptr;
    m_text.append(digits, end);
    m_text += ':';
    m_text += value;
    return;
  }
  case SourceText::as_hashed_text:
  case SourceText::as_hashed_bytes:
    sha256_hex(value, m_text);
    return;
  }
}

void append_digest(std::int64_t digest, std::string& line, CopyFormat format) {
  if (format == CopyFormat::binary) {
    append_binary_int8(digest, line);
    return;
  }
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, digest).ptr;
  line.back() = '\t'; // the encoder's '\n'
  line.append(digits, end);
  line += '\n';
}

} // namespace migrate::convert

#include "migrate/convert/row_digest.hpp"

#include "migrate/core/error.hpp"

#include <openssl/evp.h>

#include <charconv>

namespace migrate::convert {
namespace {

constexpr char k_hex[] = "0123456789abcdef";

} // namespace

RowDigester::RowDigester(std::vector<HashColumn> columns, std::string fingerprint)
    : m_columns(std::move(columns))
    , m_fingerprint("m:" + std::move(fingerprint))
    , m_context(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
  if (!m_context) {
    throw Error(ErrorArea::internal, "cannot create an MD5 context");
  }
}

RowDigester::~RowDigester() = default;

// Lower-case hex, as MySQL's MD5() prints it.
void RowDigester::md5_hex(std::string_view bytes, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(m_context.get(), EVP_md5(), nullptr);
  EVP_DigestUpdate(m_context.get(), bytes.data(), bytes.size());
  EVP_DigestFinal_ex(m_context.get(), digest, &length);
  for (unsigned int i = 0; i < length; ++i) {
    out += k_hex[digest[i] >> 4U];
    out += k_hex[digest[i] & 0xFU];
  }
}

// concat_ws('|', COALESCE(<s1>, 'N'), ..., 'm:<fingerprint>'), where <s> is the value as sent or
// the MD5 of its bytes (see SourceText), then the first 16 hex digits of its MD5.
std::int64_t RowDigester::digest(const RowView& row) {
  m_text.clear();
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (row.is_null(i)) {
      m_text += 'N';
    } else if (m_columns[i].source_text == SourceText::as_text) {
      m_text += row.at(i);
    } else {
      md5_hex(row.at(i), m_text);
    }
    m_text += '|';
  }
  m_text += m_fingerprint;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestInit_ex(m_context.get(), EVP_md5(), nullptr);
  EVP_DigestUpdate(m_context.get(), m_text.data(), m_text.size());
  EVP_DigestFinal_ex(m_context.get(), digest, &length);
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits = (bits << 8U) | digest[i];
  }
  return static_cast<std::int64_t>(bits);
}

void append_digest(std::int64_t digest, std::string& line) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, digest).ptr;
  line.back() = '\t'; // the encoder's '\n'
  line.append(digits, end);
  line += '\n';
}

} // namespace migrate::convert

#include "migrate/convert/row_seal.hpp"

#include "migrate/core/error.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace migrate::convert {
namespace {

constexpr std::uint32_t k_initial = 0x9e3779b9U + 3923095U;

constexpr std::uint32_t rotate(std::uint32_t x, unsigned k) {
  return (x << k) | (x >> (32U - k));
}

// lookup3's mix() and final(), as PostgreSQL's hashfn.c has them.
void mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  a -= c;
  a ^= rotate(c, 4);
  c += b;
  b -= a;
  b ^= rotate(a, 6);
  a += c;
  c -= b;
  c ^= rotate(b, 8);
  b += a;
  a -= c;
  a ^= rotate(c, 16);
  c += b;
  b -= a;
  b ^= rotate(a, 19);
  a += c;
  c -= b;
  c ^= rotate(b, 4);
  b += a;
}

void final_mix(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c) {
  c ^= b;
  c -= rotate(b, 14);
  a ^= c;
  a -= rotate(c, 11);
  b ^= a;
  b -= rotate(a, 25);
  c ^= b;
  c -= rotate(b, 16);
  a ^= c;
  a -= rotate(c, 4);
  b ^= a;
  b -= rotate(a, 14);
  c ^= b;
  c -= rotate(b, 24);
}

// The little-endian word of up to four bytes at `p` (the rest zero).
std::uint32_t word(const unsigned char* p, std::size_t n) {
  std::uint32_t w = 0;
  for (std::size_t i = 0; i < n; ++i) {
    w |= static_cast<std::uint32_t>(p[i]) << (8U * i);
  }
  return w;
}

std::uint32_t be32(std::string_view field, std::size_t at = 0) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v = (v << 8U) | static_cast<unsigned char>(field[at + i]);
  }
  return v;
}

std::uint64_t be64(std::string_view field, std::size_t at = 0) {
  return (static_cast<std::uint64_t>(be32(field, at)) << 32U) | be32(field, at + 4);
}

std::int16_t be16(std::string_view field, std::size_t at) {
  return static_cast<std::int16_t>((static_cast<unsigned char>(field[at]) << 8U)
                                   | static_cast<unsigned char>(field[at + 1]));
}

// hashint8extended: the high half folded into the low one so that equal integers of any width
// hash equal.
std::uint64_t hash_int8(std::int64_t value) {
  const auto low = static_cast<std::uint32_t>(value);
  const auto high = static_cast<std::uint32_t>(static_cast<std::uint64_t>(value) >> 32U);
  return pg_hash_uint32(low ^ (value >= 0 ? high : ~high));
}

// hashfloat8extended: both zeros hash as the seed (0), every NaN as the canonical one.
std::uint64_t hash_float8(double value) {
  if (value == 0.0) {
    return 0;
  }
  if (std::isnan(value)) {
    value = std::numeric_limits<double>::quiet_NaN();
  }
  unsigned char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  return pg_hash_bytes(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// hash_numeric_extended: the base-10000 digits without leading and trailing zeros, in memory
// order, XOR the weight of the first; the sign is not hashed. NaN and infinities hash as the seed,
// zero as the seed minus one.
std::uint64_t hash_numeric(std::string_view field) {
  const auto count = static_cast<std::size_t>(be16(field, 0));
  int weight = be16(field, 2);
  const auto sign = static_cast<std::uint16_t>(be16(field, 4));
  if ((sign & 0xC000U) == 0xC000U) { // NaN, +Infinity, -Infinity
    return 0;
  }
  std::size_t first = 0;
  while (first < count && be16(field, 8 + 2 * first) == 0) {
    ++first;
    --weight;
  }
  if (first == count) {
    return std::numeric_limits<std::uint64_t>::max();
  }
  std::size_t end = count;
  while (be16(field, 8 + 2 * (end - 1)) == 0) {
    --end;
  }
  unsigned char digits[2 * 64];
  std::string heap;
  unsigned char* out = digits;
  if (end - first > 64) {
    heap.resize(2 * (end - first));
    out = reinterpret_cast<unsigned char*>(heap.data());
  }
  for (std::size_t i = first; i < end; ++i) {
    const auto digit = static_cast<std::uint16_t>(be16(field, 8 + 2 * i));
    out[2 * (i - first)] = static_cast<unsigned char>(digit & 0xFFU);
    out[2 * (i - first) + 1] = static_cast<unsigned char>(digit >> 8U);
  }
  const auto hash =
      pg_hash_bytes(std::string_view(reinterpret_cast<const char*>(out), 2 * (end - first)));
  return hash ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(weight));
}

// interval_hash_extended: the interval as microseconds, a month counting 30 days, truncated to
// 64 bits.
std::uint64_t hash_interval(std::string_view field) {
  constexpr std::int64_t k_day = 86'400'000'000;
  const auto time = static_cast<std::int64_t>(be64(field, 0));
  const auto day = static_cast<std::int32_t>(be32(field, 8));
  const auto month = static_cast<std::int32_t>(be32(field, 12));
  const auto days = static_cast<std::int64_t>(month) * 30 + day;
  const auto span = static_cast<std::uint64_t>(time) + static_cast<std::uint64_t>(days * k_day);
  return hash_int8(static_cast<std::int64_t>(span));
}

// The fractional digits a "timestamp(n) ..." type keeps; 6 without a precision.
int timestamp_precision(const std::string& pg_type) {
  const auto open = pg_type.find('(');
  return open == std::string::npos ? 6 : pg_type[open + 1] - '0';
}

std::optional<SealKind> seal_kind(const ColumnPlan& column, BinaryType type) {
  switch (type) {
  case BinaryType::int2:
    return SealKind::int2;
  case BinaryType::int4:
  case BinaryType::date:
    return SealKind::int4;
  case BinaryType::int8:
    return SealKind::int8;
  case BinaryType::timestamp:
  case BinaryType::timestamptz:
    // A column of fewer fractional digits than the source rounds the value it stores.
    if (timestamp_precision(column.type.pg_type) < column.source.datetime_precision) {
      return std::nullopt;
    }
    return SealKind::int8;
  case BinaryType::boolean:
    return SealKind::boolean;
  case BinaryType::text:
  case BinaryType::bytea:
    return SealKind::bytes;
  case BinaryType::numeric:
    return SealKind::numeric; // the encoder refuses a value the column would round
  case BinaryType::float4:
    return SealKind::float4;
  case BinaryType::float8:
    return SealKind::float8;
  case BinaryType::interval:
    if (column.type.pg_type != "interval") {
      return std::nullopt;
    }
    return SealKind::interval;
  case BinaryType::jsonb:
  case BinaryType::text_array:
  case BinaryType::varbit:
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace

std::uint64_t pg_hash_bytes(std::string_view bytes) {
  const auto* k = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t length = bytes.size();
  std::uint32_t a = k_initial + static_cast<std::uint32_t>(length);
  std::uint32_t b = a;
  std::uint32_t c = a;
  while (length >= 12) {
    a += word(k, 4);
    b += word(k + 4, 4);
    c += word(k + 8, 4);
    mix(a, b, c);
    k += 12;
    length -= 12;
  }
  // The last 11 bytes; the lowest byte of c is left for the length, which the state holds.
  if (length > 8) {
    c += word(k + 8, length - 8) << 8U;
  }
  if (length > 4) {
    b += word(k + 4, std::min<std::size_t>(length, 8) - 4);
  }
  if (length > 0) {
    a += word(k, std::min<std::size_t>(length, 4));
  }
  final_mix(a, b, c);
  return (static_cast<std::uint64_t>(b) << 32U) | c;
}

std::uint64_t pg_hash_uint32(std::uint32_t value) {
  std::uint32_t a = k_initial + 4U;
  std::uint32_t b = a;
  std::uint32_t c = a;
  a += value;
  final_mix(a, b, c);
  return (static_cast<std::uint64_t>(b) << 32U) | c;
}

std::uint64_t seal_hash(SealKind kind, std::string_view field) {
  switch (kind) {
  case SealKind::int2:
    return pg_hash_uint32(static_cast<std::uint32_t>(static_cast<std::int32_t>(be16(field, 0))));
  case SealKind::int4:
    return pg_hash_uint32(be32(field));
  case SealKind::int8:
    return hash_int8(static_cast<std::int64_t>(be64(field)));
  case SealKind::boolean:
    return pg_hash_uint32(field[0] != 0 ? 1U : 0U);
  case SealKind::bytes:
    return pg_hash_bytes(field);
  case SealKind::numeric:
    return hash_numeric(field);
  case SealKind::float4: {
    const auto bits = be32(field);
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return hash_float8(value);
  }
  case SealKind::float8: {
    const auto bits = be64(field);
    double value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return hash_float8(value);
  }
  case SealKind::interval:
    return hash_interval(field);
  }
  return 0;
}

std::optional<std::vector<SealKind>> seal_kinds(const TablePlan& plan,
                                                const std::vector<BinaryType>& types) {
  if (types.size() != plan.columns.size()) {
    return std::nullopt;
  }
  std::vector<SealKind> kinds;
  kinds.reserve(types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    const auto kind = seal_kind(plan.columns[i], types[i]);
    if (!kind) {
      return std::nullopt;
    }
    kinds.push_back(*kind);
  }
  return kinds;
}

std::optional<std::vector<SealKind>> seal_kinds(const TablePlan& plan) {
  const auto types = binary_columns(plan);
  return types ? seal_kinds(plan, *types) : std::nullopt;
}

std::int64_t seal_of_row(const std::vector<SealKind>& kinds, std::string_view row) {
  std::uint64_t seal = 0;
  std::size_t at = 2; // the field count
  for (const auto kind : kinds) {
    if (row.size() < at + 4) {
      throw Error(ErrorArea::internal, "a binary COPY row ends before its last field");
    }
    const auto length = static_cast<std::int32_t>(be32(row, at));
    at += 4;
    if (length < 0) {
      seal = fold_seal(seal, 0);
      continue;
    }
    seal = fold_seal(seal, seal_hash(kind, row.substr(at, static_cast<std::size_t>(length))));
    at += static_cast<std::size_t>(length);
  }
  return static_cast<std::int64_t>(seal);
}

} // namespace migrate::convert

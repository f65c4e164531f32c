// Eight bytes at a time: the tests that let plain ASCII text, the common case, skip a word of
// eight bytes at once in the per-value scans of the extract thread (COPY escaping, UTF-8 checks).
#pragma once

#include <cstdint>
#include <cstring>

namespace migrate::convert::words {

constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
constexpr std::uint64_t k_high_bits = 0x8080808080808080ULL;

inline std::uint64_t load(const char* p) {
  std::uint64_t word = 0;
  std::memcpy(&word, p, sizeof word); // unaligned, and legal
  return word;
}

// Whether any byte of `word` is below `n` (n <= 128). Exact for "any": a borrow can only mark a
// byte above one that is truly below.
constexpr bool any_below(std::uint64_t word, unsigned n) {
  return ((word - k_ones * n) & ~word & k_high_bits) != 0;
}

constexpr bool any_equal(std::uint64_t word, unsigned char byte) {
  return any_below(word ^ (k_ones * byte), 1);
}

constexpr bool any_high(std::uint64_t word) {
  return (word & k_high_bits) != 0;
}

} // namespace migrate::convert::words

// An exact sum of unsigned 64-bit values as decimal text, as the servers' SUM of the row digests
// of a whole-table chunk (no overflow however many rows).
#pragma once

#include <cstdint>
#include <string>

namespace migrate::fakes {

class DecimalSum {
public:
  void add(std::uint64_t value) {
    // Digits least significant first.
    std::size_t i = 0;
    unsigned carry = 0;
    while (value != 0 || carry != 0) {
      if (i == m_digits.size()) {
        m_digits.push_back(0);
      }
      const unsigned digit =
          static_cast<unsigned>(m_digits[i]) + static_cast<unsigned>(value % 10) + carry;
      m_digits[i] = static_cast<char>(digit % 10);
      carry = digit / 10;
      value /= 10;
      ++i;
    }
  }

  std::string text() const {
    std::string out;
    for (auto it = m_digits.rbegin(); it != m_digits.rend(); ++it) {
      out += static_cast<char>('0' + *it);
    }
    return out.empty() ? "0" : out;
  }

private:
  std::string m_digits;
};

} // namespace migrate::fakes

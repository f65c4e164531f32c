#include "migrate/core/compare.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace migrate {

bool hashed_alone(HashKind kind) {
  return kind == HashKind::text || kind == HashKind::geometry || kind == HashKind::set
         || kind == HashKind::bytes;
}

std::string joined_row_sql(const std::vector<std::string>& parts) {
  // 50 leaves room below PostgreSQL's limit of 100 for the separator and up to 99 groups.
  constexpr std::size_t k_group = 50;
  const auto join = [](auto begin, auto end) {
    std::string out = "concat_ws('|'";
    for (auto it = begin; it != end; ++it) {
      out += ", " + *it;
    }
    return out + ")";
  };
  if (parts.size() <= k_group) {
    return join(parts.begin(), parts.end());
  }
  std::vector<std::string> groups;
  for (std::size_t start = 0; start < parts.size(); start += k_group) {
    const auto end = std::min(parts.size(), start + k_group);
    groups.push_back(join(parts.begin() + static_cast<std::ptrdiff_t>(start),
                          parts.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return join(groups.begin(), groups.end());
}

bool ChunkDigest::matches(const ChunkDigest& other) const {
  if (rows != other.rows || hash != other.hash || hash_sum != other.hash_sum
      || float_sums.size() != other.float_sums.size() || rows_unsealed != 0
      || other.rows_unsealed != 0) {
    return false;
  }
  for (std::size_t i = 0; i < float_sums.size(); ++i) {
    const double a = float_sums[i];
    const double b = other.float_sums[i];
    // Sums of the same doubles in another order differ in the last bits.
    if (std::fabs(a - b) > 1e-9 * std::max({std::fabs(a), std::fabs(b), 1.0})) {
      return false;
    }
  }
  return true;
}

namespace {

// Chunk bounds of unsigned 64-bit keys overflow 64-bit arithmetic.
__extension__ typedef __int128 Wide;

Wide parse_wide(const std::string& text) {
  Wide value = 0;
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  i = negative ? 1 : 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') {
      throw std::invalid_argument("not a whole number: '" + text + "'");
    }
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

std::string print_wide(Wide value) {
  if (value == 0) {
    return "0";
  }
  const bool negative = value < 0;
  std::string digits;
  for (; value != 0; value /= 10) {
    const auto digit = static_cast<int>(value % 10);
    digits += static_cast<char>('0' + (digit < 0 ? -digit : digit));
  }
  if (negative) {
    digits += '-';
  }
  return {digits.rbegin(), digits.rend()};
}

} // namespace

RangeBounds range_bounds(const std::string& id, const std::string& width) {
  const Wide k = parse_wide(id);
  const Wide w = parse_wide(width);
  if (k > 0) {
    return {print_wide(k * w), true, print_wide((k + 1) * w), false};
  }
  if (k == 0) {
    return {print_wide(-w), false, print_wide(w), false};
  }
  return {print_wide((k - 1) * w), false, print_wide(k * w), true};
}

std::string range_chunk_of(const std::string& key, const std::string& width) {
  return print_wide(parse_wide(key) / parse_wide(width)); // truncates toward zero, like DIV
}

std::string range_width(const KeyRange& range, std::size_t parts) {
  const Wide span = parse_wide(range.max) - parse_wide(range.min) + 1;
  const Wide count = std::max<Wide>(1, static_cast<Wide>(parts));
  return print_wide(std::max<Wide>(1, (span + count - 1) / count));
}

std::vector<std::string>
range_chunks_between(const std::string& min, const std::string& max, const std::string& width) {
  std::vector<std::string> out;
  const Wide last = parse_wide(range_chunk_of(max, width));
  for (Wide id = parse_wide(range_chunk_of(min, width)); id <= last; ++id) {
    out.push_back(print_wide(id));
  }
  return out;
}

bool in_slice(const ComparePlan& plan, const std::string& id) {
  if (plan.slices <= 1) {
    return true;
  }
  if (plan.chunking.kind == Chunking::Kind::range) {
    const Wide k = parse_wide(id);
    return (plan.slice_first.empty() || k >= parse_wide(plan.slice_first))
           && (plan.slice_last.empty() || k <= parse_wide(plan.slice_last));
  }
  return parse_wide(id) % static_cast<Wide>(plan.slices) == static_cast<Wide>(plan.slice);
}

void set_slice(ComparePlan& plan, const KeyRange& range, std::size_t slices, std::size_t slice) {
  plan.slices = std::max<std::size_t>(slices, 1);
  plan.slice = slice % plan.slices;
  plan.slice_first.clear();
  plan.slice_last.clear();
  if (plan.chunking.kind != Chunking::Kind::range || plan.slices == 1 || range.min.empty()) {
    return;
  }
  const auto& width = plan.chunking.width_or_buckets;
  const Wide first = parse_wide(range_chunk_of(range.min, width));
  const Wide count = parse_wide(range_chunk_of(range.max, width)) - first + 1;
  const auto n = static_cast<Wide>(plan.slices);
  const auto k = static_cast<Wide>(plan.slice);
  if (k > 0) {
    plan.slice_first = print_wide(first + count * k / n);
  }
  if (k + 1 < n) {
    plan.slice_last = print_wide(first + count * (k + 1) / n - 1);
  }
}

SliceBounds slice_bounds(const ComparePlan& plan) {
  SliceBounds out;
  if (plan.slices <= 1 || plan.chunking.kind != Chunking::Kind::range) {
    return out;
  }
  const auto& width = plan.chunking.width_or_buckets;
  if (!plan.slice_first.empty()) {
    const auto bounds = range_bounds(plan.slice_first, width);
    out.low = bounds.low;
    out.low_inclusive = bounds.low_inclusive;
  }
  if (!plan.slice_last.empty()) {
    const auto bounds = range_bounds(plan.slice_last, width);
    out.high = bounds.high;
    out.high_inclusive = bounds.high_inclusive;
  }
  return out;
}

std::string
slice_sql(const ComparePlan& plan, const std::string& key, const std::string& chunk_id) {
  if (plan.slices <= 1) {
    return {};
  }
  if (plan.chunking.kind != Chunking::Kind::range) {
    return "MOD(" + chunk_id + ", " + std::to_string(plan.slices)
           + ") = " + std::to_string(plan.slice);
  }
  const auto bounds = slice_bounds(plan);
  std::string out;
  if (!bounds.low.empty()) {
    out = key + (bounds.low_inclusive ? " >= " : " > ") + bounds.low;
  }
  if (!bounds.high.empty()) {
    out +=
        (out.empty() ? "" : " AND ") + key + (bounds.high_inclusive ? " <= " : " < ") + bounds.high;
  }
  return out.empty() ? out : "(" + out + ")";
}

} // namespace migrate

// Splitting the tables between workers: `--shard i/n` runs the tables whose stable hash falls in
// shard i, so that n workers started with 0/n .. n-1/n run every table once between them. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace migrate {

struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1; // 1: every table
};

// FNV-1a, 64 bits: the same value on every machine, in every build and version.
std::uint64_t fnv1a64(std::string_view text);

// Reads "i/n" (0 <= i < n <= 1024). Throws std::invalid_argument naming what is wrong.
Shard parse_shard(const std::string& text);

// Whether `table` (its name in table_mapping.yaml) belongs to `shard`: fnv1a64(table) % n == i.
bool in_shard(const std::string& table, const Shard& shard);

} // namespace migrate

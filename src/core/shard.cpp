#include "migrate/core/shard.hpp"

#include <stdexcept>

namespace migrate {
namespace {

std::uint32_t shard_number(const std::string& text, const std::string& whole) {
  if (text.empty() || text.size() > 4
      || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::invalid_argument("'" + whole + "' is not i/n, e.g. 0/3");
  }
  return static_cast<std::uint32_t>(std::stoul(text));
}

} // namespace

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    throw std::invalid_argument("'" + text + "' is not i/n, e.g. 0/3");
  }
  Shard shard{shard_number(text.substr(0, slash), text),
              shard_number(text.substr(slash + 1), text)};
  if (shard.count == 0 || shard.count > 1024) {
    throw std::invalid_argument("'" + text + "': n must be between 1 and 1024");
  }
  if (shard.index >= shard.count) {
    throw std::invalid_argument("'" + text + "': i must be below n (shards are numbered from 0)");
  }
  return shard;
}

bool in_shard(const std::string& table, const Shard& shard) {
  return fnv1a64(table) % shard.count == shard.index;
}

} // namespace migrate

#include "migrate/config/compression.hpp"

#include "migrate/config/tls.hpp"

namespace migrate::config {

std::optional<Compression> parse_compression(const std::string& text) {
  if (text == "true" || text == "yes" || text == "on") {
    return Compression::on;
  }
  if (text == "false" || text == "no" || text == "off") {
    return Compression::off;
  }
  if (text == "auto") {
    return Compression::automatic;
  }
  return std::nullopt;
}

const char* to_string(Compression compress) noexcept {
  switch (compress) {
  case Compression::off:
    return "false";
  case Compression::on:
    return "true";
  case Compression::automatic:
    return "auto";
  }
  return "false";
}

bool use_compression(Compression compress, const std::string& host) {
  switch (compress) {
  case Compression::off:
    return false;
  case Compression::on:
    return true;
  case Compression::automatic:
    return !is_loopback_host(host);
  }
  return false;
}

std::string describe_compression(bool requested, bool zlib, bool zstd) {
  // MySQL's protocol uses zlib when both flags are set.
  if (zlib) {
    return "zlib";
  }
  if (zstd) {
    return "zstd";
  }
  return requested ? "off (the server does not offer compression)" : "off";
}

std::string postgres_compression_refusal(const std::string& value) {
  return "compress: " + value
         + " is not possible for PostgreSQL: libpq has no protocol compression in the PostgreSQL "
           "versions Aurora runs (TLS compression is disabled too), so the COPY data crosses the "
           "link as it is. Remove the key or set compress: false; over a slow link, run migrate "
           "next to PostgreSQL and set compress on the mysql connection instead";
}

} // namespace migrate::config

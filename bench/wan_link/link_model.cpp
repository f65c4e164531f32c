#include "link_model.hpp"

#include <cstdio>
#include <stdexcept>

namespace wan_link {
namespace {

double parse_number(const std::string& key, const std::string& text, double min, double max) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < min || value > max) {
    throw std::invalid_argument(key + ": expected a number from " + std::to_string(min) + " to "
                                + std::to_string(max) + ", got '" + text + "'");
  }
  return value;
}

void parse_upstream(const std::string& text, Options& out) {
  const auto colon = text.rfind(':');
  if (colon != std::string::npos) {
    out.upstream_host = text.substr(0, colon);
  }
  const auto port = colon == std::string::npos ? text : text.substr(colon + 1);
  out.upstream_port = int(parse_number("--upstream", port, 1, 65535));
}

std::chrono::microseconds milliseconds(double ms) {
  return std::chrono::microseconds(static_cast<long long>(ms * 1000));
}

void apply(const std::string& key, const std::string& value, Options& out) {
  if (key == "--listen") {
    out.listen_port = int(parse_number(key, value, 0, 65535));
  } else if (key == "--upstream") {
    parse_upstream(value, out);
  } else if (key == "--delay-ms") {
    out.one_way_delay = milliseconds(parse_number(key, value, 0, 10000));
  } else if (key == "--rtt-ms") {
    out.one_way_delay = milliseconds(parse_number(key, value, 0, 20000) / 2);
  } else if (key == "--mbit") {
    out.total_mbit = parse_number(key, value, 0, 100000);
  } else if (key == "--conn-mbit") {
    out.connection_mbit = parse_number(key, value, 0, 100000);
  } else if (key == "--max-seconds") {
    out.max_seconds = std::chrono::seconds(long(parse_number(key, value, 1, 7 * 86400)));
  } else if (key == "--stats") {
    out.stats_file = value;
  } else if (key == "--port-file") {
    out.port_file = value;
  } else {
    throw std::invalid_argument("unknown option " + key);
  }
}

} // namespace

std::optional<Options> parse_options(const std::vector<std::string>& args, std::string& error) {
  Options out;
  try {
    for (std::size_t i = 0; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        throw std::invalid_argument(args[i] + ": missing value");
      }
      apply(args[i], args[i + 1], out);
    }
    if (out.upstream_port == 0) {
      throw std::invalid_argument("--upstream is required");
    }
  } catch (const std::invalid_argument& e) {
    error = e.what();
    return std::nullopt;
  }
  return out;
}

std::string to_json(const Counters& counters) {
  char text[256];
  std::snprintf(text,
                sizeof text,
                "{\"bytes_to_server\":%llu,\"bytes_to_client\":%llu,\"round_trips\":%llu,"
                "\"connections\":%llu,\"seconds\":%.3f}",
                static_cast<unsigned long long>(counters.bytes_to_server),
                static_cast<unsigned long long>(counters.bytes_to_client),
                static_cast<unsigned long long>(counters.round_trips),
                static_cast<unsigned long long>(counters.connections),
                counters.seconds);
  return text;
}

} // namespace wan_link

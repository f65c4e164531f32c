#include "migrate/core/error.hpp"
#include "migrate/core/log_text.hpp"
#include "migrate/notify/channel.hpp"

#include <spdlog/spdlog.h>

namespace migrate::notify {

Delivery
deliver(const std::vector<std::unique_ptr<Channel>>& channels, const Message& message, bool all) {
  Delivery out;
  for (const auto& channel : channels) {
    if (!all && !channel->wants(message.failure)) {
      continue;
    }
    try {
      channel->send(message);
      ++out.sent;
      spdlog::info("notify sent channel={}", quote_field(channel->describe()));
    } catch (const std::exception& e) {
      ++out.failed;
      out.failures.push_back(channel->describe() + ": " + e.what());
      spdlog::warn("notify failed channel={} error={}",
                   quote_field(channel->describe()),
                   quote_field(e.what()));
    }
  }
  return out;
}

std::string describe_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return "(url)";
  }
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  auto authority = url.substr(authority_start, authority_end - authority_start);
  if (const auto at = authority.rfind('@'); at != std::string::npos) {
    authority = authority.substr(at + 1);
  }
  return url.substr(0, authority_start) + authority;
}

} // namespace migrate::notify

// Alert channels: where a Message goes after a run (mail, a webhook).
//
// Implementations: the libcurl email and webhook channels (notify/curl_channels.hpp); tests use
// their own. A channel is used from one thread at a time. Every delivery is bounded by the
// configuration's connect and total timeouts, so a dead server delays a run by at most those.
#pragma once

#include "migrate/notify/message.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace migrate::notify {

class Channel {
public:
  virtual ~Channel() = default;

  // "email to dba@example.com via smtp://mail:25": for logs, without credentials or URL paths
  // (a Slack webhook's path is its secret).
  virtual std::string describe() const = 0;
  // Whether the channel sends after a run that failed (or not).
  virtual bool wants(bool failure) const = 0;
  // Delivers the message; throws Error(area notify) saying what failed.
  virtual void send(const Message& message) = 0;
};

struct Delivery {
  std::size_t sent = 0;
  std::size_t failed = 0;
  std::vector<std::string> failures; // "<channel>: <error>", one per failed channel
};

// Sends `message` on each channel that wants it (every channel when `all`, as `notify --test`
// does). A failure is logged and counted, never thrown: the next channel still gets its turn.
Delivery deliver(const std::vector<std::unique_ptr<Channel>>& channels,
                 const Message& message,
                 bool all = false);

// "smtp://mail.example.com:587": scheme, host and port only (no user, password, path or query).
std::string describe_url(const std::string& url);

} // namespace migrate::notify

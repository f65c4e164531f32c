// The libcurl channels: SMTP mail (STARTTLS when offered, required when credentials are sent;
// smtps:// is TLS from the start) and an HTTP(S) JSON POST. Certificates are verified.
#pragma once

#include "migrate/config/config.hpp"
#include "migrate/notify/channel.hpp"

#include <memory>
#include <vector>

namespace migrate::notify {

// One channel per configured block of `notify` (none when nothing is configured).
std::vector<std::unique_ptr<Channel>> make_curl_channels(const config::Notify& notify);

} // namespace migrate::notify

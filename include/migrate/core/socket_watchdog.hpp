// A client-side bound on a call to a server: while a Watch lives, its socket is shut
// (shutdown(SHUT_RDWR)) once its limit passes, so that a read or write blocked in a client library
// returns with an error. A peer that stays connected but stops answering (a stalled proxy or
// pooler) would otherwise block libpq for ever: it has no read timeout, and statement_timeout is
// the server's, which a stalled proxy never lets answer.
//
// One thread for the process, started on first use; watches are cheap (a map entry under a mutex).
#pragma once

#include <chrono>
#include <cstdint>

namespace migrate {

class SocketWatch {
public:
  // Watches `socket` for `limit`; a limit of zero or a negative socket watches nothing.
  SocketWatch(int socket, std::chrono::milliseconds limit);
  ~SocketWatch();
  SocketWatch(const SocketWatch&) = delete;
  SocketWatch& operator=(const SocketWatch&) = delete;

  // The limit passed and the socket was shut.
  bool fired() const;

private:
  std::uint64_t m_id = 0; // 0: nothing watched
};

} // namespace migrate

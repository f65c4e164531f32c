#include "postgres/error_class.hpp"

namespace migrate::target {

bool is_refusal(const std::string& message) {
  for (const char* text : {"authentication failed",
                           "does not exist",
                           "no pg_hba.conf entry",
                           "permission denied",
                           "password authentication",
                           "certificate verify failed",
                           "does not match host name",
                           "server does not support SSL",
                           "could not read root certificate file",
                           "could not open certificate file",
                           "could not load private key file"}) {
    if (message.find(text) != std::string::npos) {
      return true;
    }
  }
  return false;
}

bool is_transient_sqlstate(const std::string& state) {
  // 25006: a read-only transaction, on a reader that a failover has not promoted yet.
  return state.rfind("08", 0) == 0 || state == "25006" || state == "40001" || state == "40P01"
         || state == "53300" || state == "55P03" || state == "57P01" || state == "57P02"
         || state == "57P03";
}

} // namespace migrate::target

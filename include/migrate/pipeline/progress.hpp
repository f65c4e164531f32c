// ProgressObserver: how a table's run reports rows as they are loaded, so that the command line
// can show progress without the pipeline knowing about terminals or log intervals.
//
// Implementations: the command line's progress reporter (cli/progress.hpp). Called on the load
// thread, once per chunk written to PostgreSQL; must be cheap and must not throw.
#pragma once

#include <cstdint>
#include <string>

namespace migrate::pipeline {

class ProgressObserver {
public:
  virtual ~ProgressObserver() = default;
  // `rows` more rows of `table` were handed to PostgreSQL (not yet committed).
  virtual void rows_loaded(const std::string& table, std::uint64_t rows) noexcept = 0;
};

} // namespace migrate::pipeline

// What `migrate validate` says of each table's verdict (validate::TableVerdict): log lines with the
// table on each (standard error and the log file, so that the log keeps what differed), and the
// result on standard output as a text table with the first differing rows or one JSON document.
// The sync's validate_after and the cutover's checksum log their verdicts the same way.
#pragma once

#include "migrate/validate/table_validation.hpp"

#include <cstddef>
#include <vector>

namespace migrate::cli {

// Logs the verdict: an error, or with a checksum how exactly the table was compared, each differing
// chunk and row (a real mismatch at error level), then the outcome and summary.
void log_verdict(const validate::TableVerdict& verdict);

// The tables' results and, under them, each table's first differing rows and what --repair did;
// `differing` is the number of tables that are not ok.
void print_validation(const std::vector<validate::TableVerdict>& verdicts,
                      bool checksum,
                      std::size_t differing);
// The same as one JSON document, with every differing row.
void print_validation_json(const std::vector<validate::TableVerdict>& verdicts,
                           bool checksum,
                           std::size_t differing);

} // namespace migrate::cli

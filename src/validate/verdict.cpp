#include "migrate/validate/verdict.hpp"

#include <algorithm>
#include <vector>

namespace migrate::validate {
namespace {

std::string rows(std::uint64_t n) {
  return std::to_string(n) + (n == 1 ? " row" : " rows");
}

} // namespace

std::string CountVerdict::text() const {
  std::vector<std::string> parts;
  if (missing > 0) {
    parts.push_back("MISMATCH: " + rows(missing) + " missing in PostgreSQL");
  }
  if (extra > 0) {
    parts.push_back((parts.empty() ? "MISMATCH: " : "") + rows(extra) + " extra in PostgreSQL");
  }
  if (first_pass_left > 0) {
    parts.push_back("first load under way: " + rows(first_pass_left) + " not loaded yet");
  }
  if (behind > 0) {
    parts.push_back("behind by " + rows(behind) + " changed since the last run");
  }
  if (quarantined > 0) {
    parts.push_back(std::to_string(quarantined) + " in quarantine");
  }
  if (kept > 0) {
    parts.push_back(rows(kept) + " deleted in MySQL, kept (deletes: ignore)");
  }
  std::string out = parts.empty() ? "in sync" : "";
  for (const auto& part : parts) {
    out += (out.empty() ? "" : "; ") + part;
  }
  std::string left_out;
  if (excluded_by_where > 0) {
    left_out = std::to_string(excluded_by_where) + " excluded by where";
  }
  if (soft_deleted > 0) {
    left_out += (left_out.empty() ? "" : ", ") + std::to_string(soft_deleted) + " soft-deleted";
  }
  return left_out.empty() ? out : out + " (" + left_out + ")";
}

CountVerdict classify_counts(const CountFacts& facts) {
  CountVerdict v;
  v.behind = facts.changed_since_run;
  v.quarantined = facts.quarantined;
  v.first_pass_left = facts.first_pass_left;
  v.excluded_by_where = facts.excluded_by_where;
  v.soft_deleted = facts.soft_deleted;
  if (facts.source_rows > facts.target_rows) {
    auto left = facts.source_rows - facts.target_rows;
    left -= std::min(left, facts.quarantined);
    left -= std::min(left, facts.first_pass_left);
    v.missing = left - std::min(left, facts.changed_since_run);
  } else if (facts.target_rows > facts.source_rows) {
    const auto extra = facts.target_rows - facts.source_rows;
    v.kept = facts.deletes_kept ? extra : 0;
    v.extra = extra - v.kept;
  }
  if (v.unexplained() > 0) {
    v.agreement = Agreement::mismatch;
  } else if (v.behind > 0 || v.first_pass_left > 0) {
    v.agreement = Agreement::behind;
  } else if (v.quarantined > 0) {
    v.agreement = Agreement::quarantine;
  }
  return v;
}

std::string explain_row(RowDifference difference, const RowReasons& reasons) {
  const bool in_source = difference != RowDifference::extra_in_target;
  if (in_source && reasons.quarantined) {
    return "in quarantine";
  }
  if (in_source && reasons.not_reached) {
    return "not loaded yet (first load under way)";
  }
  if (in_source && reasons.changed_since_run) {
    return "changed since the last run";
  }
  switch (difference) {
  case RowDifference::missing_in_target:
    return "missing in target";
  case RowDifference::extra_in_target:
    if (reasons.not_written_by_migrate) {
      return "extra in target (never came from MySQL)"; // whatever `deletes` says
    }
    return reasons.deletes_kept ? "deleted in MySQL, kept (deletes: ignore)" : "extra in target";
  case RowDifference::content_differs:
    return "content differs";
  }
  return "content differs";
}

bool is_mismatch(const std::string& explanation) {
  return explanation == "missing in target" || explanation.rfind("extra in target", 0) == 0
         || explanation == "content differs";
}

} // namespace migrate::validate

#include "migrate/validate/digest_sample.hpp"

#include "migrate/convert/row_digest.hpp"

#include <algorithm>

namespace migrate::validate {
namespace {

std::string key_of(const ComparePlan& plan, const DigestSample& sample) {
  if (plan.key_columns.empty()) {
    return "(no key)";
  }
  std::string out;
  for (const auto& key : plan.key_columns) {
    const auto at =
        std::find_if(plan.columns.begin(), plan.columns.end(), [&](const HashColumn& c) {
          return c.source_name == key.source_name;
        });
    const auto index = static_cast<std::size_t>(at - plan.columns.begin());
    const auto& value = index < sample.values.size() ? sample.values[index] : std::nullopt;
    out += (out.empty() ? "" : ", ") + key.source_name + "=" + value.value_or("NULL");
  }
  return out;
}

std::string cut(const std::string& text) {
  constexpr std::size_t k_shown = 60;
  return text.size() <= k_shown ? text : text.substr(0, k_shown) + "...";
}

} // namespace

SampleChunks plan_sample(ComparePlan& plan, const KeyRange& range, std::size_t rows) {
  rows = std::max<std::size_t>(rows, 1);
  plan.slices = 1;
  plan.slice = 0;
  if (plan.chunking.kind == Chunking::Kind::whole) {
    return {{"0"}, rows};
  }
  if (plan.chunking.kind == Chunking::Kind::range && !range.min.empty()) {
    plan.chunking.width_or_buckets = range_width(range, rows);
    return {range_chunks_between(range.min, range.max, plan.chunking.width_or_buckets), 1};
  }
  plan.chunking.kind = Chunking::Kind::hash;
  plan.chunking.width_or_buckets = std::to_string(std::max<std::uint64_t>(range.rows / rows, 1));
  return {{"0"}, rows};
}

std::vector<SampleDisagreement> compare_samples(const ComparePlan& plan,
                                                const std::vector<DigestSample>& samples) {
  convert::RowDigester digester(plan.columns, plan.digest_fingerprint);
  std::vector<SampleDisagreement> out;
  for (const auto& sample : samples) {
    bool parts_agree = true;
    std::vector<const char*> values;
    std::vector<unsigned long> lengths;
    for (std::size_t i = 0; i < plan.columns.size(); ++i) {
      const auto& value = sample.values.at(i);
      values.push_back(value ? value->data() : nullptr);
      lengths.push_back(value ? value->size() : 0);
      const auto client =
          digester.part_text(i, value ? std::optional<std::string_view>(*value) : std::nullopt);
      if (client != sample.parts.at(i)) {
        parts_agree = false;
        out.push_back({plan.columns[i].source_name, key_of(plan, sample), sample.parts[i], client});
      }
    }
    const auto client = static_cast<std::uint64_t>(
        digester.digest(RowView{values.data(), lengths.data(), values.size()}));
    if (parts_agree && client != sample.digest) {
      out.push_back({"(row digest)",
                     key_of(plan, sample),
                     std::to_string(sample.digest),
                     std::to_string(client)});
    }
  }
  return out;
}

std::string describe(const SampleDisagreement& disagreement) {
  return "column " + disagreement.column + ", row " + disagreement.key + ": MySQL's SQL gives '"
         + cut(disagreement.server_text) + "', the client '" + cut(disagreement.client_text) + "'";
}

} // namespace migrate::validate

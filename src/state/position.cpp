#include "migrate/state/position.hpp"

#include "migrate/core/error.hpp"

namespace migrate::state {

const char* phase_text(Pass phase) noexcept {
  return migrate::to_string(phase == Pass::initial ? Pass::initial : Pass::incremental);
}

Pass parse_phase(std::string_view text) noexcept {
  return parse_pass(text) == Pass::initial ? Pass::initial : Pass::incremental;
}

std::string Position::to_string() const {
  std::string out = phase == Pass::initial ? "initial pass" : "";
  if (phase == Pass::initial) {
    if (!key.empty()) {
      out += " after key (";
      for (std::size_t i = 0; i < key.size(); ++i) {
        out += (i == 0 ? "" : ",") + key[i];
      }
      out += ")";
    }
    return out;
  }
  out = timestamp.value_or("");
  for (const auto& value : key) {
    out += " / " + value;
  }
  return out;
}

std::string encode_key(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values) {
    out += std::to_string(value.size()) + ":" + value;
  }
  return out;
}

std::vector<std::string> decode_key(const std::string& encoded) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < encoded.size()) {
    const auto colon = encoded.find(':', pos);
    if (colon == std::string::npos) {
      throw Error(ErrorArea::state, "corrupt key in state file: '" + encoded + "'");
    }
    const auto length = std::stoull(encoded.substr(pos, colon - pos));
    if (colon + 1 + length > encoded.size()) {
      throw Error(ErrorArea::state, "corrupt key in state file: '" + encoded + "'");
    }
    out.push_back(encoded.substr(colon + 1, length));
    pos = colon + 1 + length;
  }
  return out;
}

} // namespace migrate::state

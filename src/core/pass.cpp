#include "migrate/core/pass.hpp"

namespace migrate {

namespace {

struct PassName {
  Pass pass;
  const char* name;
};

constexpr PassName k_pass_names[] = {
    {Pass::none, "none"},
    {Pass::initial, "initial"},
    {Pass::incremental, "incremental"},
    {Pass::full, "full"},
    {Pass::reload, "reload"},
    {Pass::compare, "compare"},
    {Pass::replace, "replace"},
};

} // namespace

const char* to_string(Pass pass) noexcept {
  for (const auto& entry : k_pass_names) {
    if (entry.pass == pass) {
      return entry.name;
    }
  }
  return "none";
}

Pass parse_pass(std::string_view text) noexcept {
  for (const auto& entry : k_pass_names) {
    if (text == entry.name) {
      return entry.pass;
    }
  }
  return Pass::none;
}

} // namespace migrate

// Permission checks for files that hold secrets or raw row values (password files, the state file).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace migrate {

// True when the group or other users have any access to a file of these permissions.
bool open_to_others(std::filesystem::perms mode) noexcept;

// The permission bits in octal as chmod takes them, e.g. "0644".
std::string mode_text(std::filesystem::perms mode);

// "0644" or "644" as permissions; nullopt for anything else, and for a mode that lets other users
// write or that has set-id or sticky bits (a page for a web server needs neither).
std::optional<std::filesystem::perms> parse_file_mode(const std::string& text);

} // namespace migrate

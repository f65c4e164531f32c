#!/usr/bin/env bash
# The man page documents what `migrate --help` lists: every subcommand has an entry under COMMANDS
# that names each of its own long options, every global option (and short option) is under
# OPTIONS, and every exit code is under EXIT STATUS. The page renders with man(1) without a groff
# warning. The lists come from the binary, so an option added without documentation fails here.
#
#   man_page_covers_help.sh MIGRATE_BINARY MAN_PAGE
set -uo pipefail

binary=${1:?usage: $0 MIGRATE_BINARY MAN_PAGE}
page=${2:?usage: $0 MIGRATE_BINARY MAN_PAGE}
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

[[ -x $binary ]] || { echo "FAIL: $binary is not executable" >&2; exit 1; }
[[ -f $page ]] || { echo "FAIL: $page does not exist (the migrate_docs target builds it)" >&2; exit 1; }
command -v man >/dev/null || { echo "FAIL: man not found (apt-get install man-db)" >&2; exit 1; }

export LC_ALL=C.UTF-8 MANWIDTH=200
warnings=$(man --warnings --no-hyphenation --no-justification -l "$page" 2>&1 >/dev/null)
[[ -z $warnings ]] || fail "man reports warnings for $page: $warnings"
# Rendered text, formatting stripped (man does that for a pipe); a typographic minus or hyphen
# is turned back into "-" so options compare as typed.
text=$(man --no-hyphenation --no-justification -l "$page" 2>/dev/null | sed 's/\xe2\x88\x92/-/g; s/\xe2\x80\x90/-/g')
[[ -n $text ]] || { echo "FAIL: man rendered nothing for $page" >&2; exit 1; }

# The lines of one section (a heading at column 0) of the rendered page.
section() {
  awk -v name="$1" '/^[A-Z]/ { inside = ($0 == name); next } inside' <<<"$text"
}
# The entry of one subcommand under COMMANDS: from its tag line (7 spaces, then the name) to the
# next tag line.
entry() {
  section COMMANDS | awk -v name="$1" '
    /^       [^ ]/ { split($0, words, " "); inside = (words[1] == name) }
    inside'
}
# True if the text on standard input contains OPTION as a whole option (--table, not --tables).
has_option() {
  grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|$)"
}
# The long options (and short ones, with -s) of a --help text: from the option column only.
help_options() {
  grep -oE '^  (-[A-Za-z],)?--[a-z0-9][a-z0-9-]*' | sed -E 's/^  //' | tr ',' '\n'
}

main_help=$("$binary" --help) || fail "migrate --help exited non-zero"
subcommands=$(awk '/^Subcommands:/ { inside = 1; next } /^$/ { inside = 0 } inside { print $1 }' <<<"$main_help")
[[ -n $subcommands ]] || fail "migrate --help lists no subcommands (did its format change?)"
global_options=$(help_options <<<"$main_help")
[[ $global_options == *--config* ]] || fail "no options parsed from migrate --help (did its format change?)"

options_section=$(section OPTIONS)
synopsis=$(section SYNOPSIS)
checked=0
for option in $global_options; do
  has_option "$option" <<<"$options_section" || fail "option $option of migrate --help is not in the man page's OPTIONS"
  checked=$((checked + 1))
done

for command in $subcommands; do
  body=$(entry "$command")
  if [[ -z $body ]]; then
    fail "subcommand $command has no entry under COMMANDS"
  fi
  grep -qE -- "migrate .*[] ]$command( |$)" <<<"$synopsis" || fail "subcommand $command is not in the SYNOPSIS"
  help=$("$binary" "$command" --help) || fail "migrate $command --help exited non-zero"
  for option in $(help_options <<<"$help"); do
    checked=$((checked + 1))
    # An option the subcommand shares with the top level (--help) is documented under OPTIONS.
    if grep -qxF -- "$option" <<<"$global_options"; then
      continue
    fi
    has_option "$option" <<<"$body" || fail "option $option of migrate $command --help is not in the entry of $command under COMMANDS"
  done
done

# Exit codes: the lines "  N  text" of the help's footer; each must be a tag under EXIT STATUS.
exit_section=$(section "EXIT STATUS")
codes=$(grep -oE '^  [0-9]+  ' <<<"$main_help" | tr -d ' ')
[[ -n $codes ]] || fail "migrate --help lists no exit codes (did its format change?)"
for code in $codes; do
  grep -qE "^       $code( |$)" <<<"$exit_section" || fail "exit code $code is not under EXIT STATUS"
done

echo "checked $(wc -w <<<"$subcommands") subcommands, $checked options, $(wc -w <<<"$codes") exit codes against $page"
if ((failures)); then
  echo "$failures problem(s): document them in docs/migrate.1.md" >&2
  exit 1
fi

#!/usr/bin/env bash
# Installs the Debian packages needed to build migrate and, unless --build-only is given, to run its
# tests and demo (the MariaDB and PostgreSQL servers and clients, GoogleTest, python3). Only missing
# packages are installed; apt-get update runs only then.
#
#   scripts/install-deps.sh               build, test and demo dependencies
#   scripts/install-deps.sh --build-only  what a build host needs to build the binary
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config g++
  default-libmysqlclient-dev libpqxx-dev libsqlitecpp-dev libyaml-cpp-dev
  libspdlog-dev libcli11-dev libcurl4-openssl-dev libssl-dev
  # The man page is converted from docs/migrate.1.md at build time.
  pandoc
)
test_packages=(
  libgtest-dev
  mariadb-server mariadb-client postgresql postgresql-client sqlite3
  # Named time zones (e.g. Europe/Berlin) are loaded into the test MariaDB.
  tzdata
  # The integration tests parse the --json output with it, and read the report's screenshot.
  python3
  # The HTML report is rendered headless, as a reader's browser shows it.
  chromium
  # The alert tests and `scripts/demo.sh --alert` receive mail with it (scripts/alert-sink.py).
  python3-aiosmtpd
  # The alert tests make a CA and a server certificate for STARTTLS with the openssl CLI.
  openssl
  # Packaging tests: scripts/package.sh (cpack calls dpkg-shlibdeps), lintian on the .deb,
  # systemd-analyze verify on the units, man to render the man page, adduser for postinst.
  dpkg-dev lintian systemd man-db adduser
  # The package test traces migrate to check the unit's SystemCallFilter=.
  strace
)

case "${1:-}" in
  --build-only) packages=("${build_packages[@]}") ;;
  "") packages=("${build_packages[@]}" "${test_packages[@]}") ;;
  *)
    echo "usage: $0 [--build-only]" >&2
    exit 2
    ;;
esac

missing=()
for pkg in "${packages[@]}"; do
  # "deinstall ok config-files" means removed, so match the final word.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ $status != *" installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all packages already installed"
  exit 0
fi

sudo_cmd=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-deps: not root and sudo is missing; install as root: ${missing[*]}" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi

echo "install-deps: installing ${missing[*]}"

# The tests start their own throwaway servers, so keep the packages from
# starting the distro's MariaDB/PostgreSQL services. A policy-rc.d that
# answers 101 ("action forbidden") does that; add one only for this install
# and only if the machine has none (containers usually do already).
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# Temporary, added by install-deps.sh: do not start services.\nexit 101\n' |
    "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi

"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}"

#!/usr/bin/env bash
# Installs the Debian packages needed to build migrate and to run its tests
# and demo. Only missing packages are installed; apt-get update runs only then.
set -euo pipefail

packages=(
  build-essential cmake pkg-config g++
  default-libmysqlclient-dev libpqxx-dev libsqlitecpp-dev libyaml-cpp-dev
  libspdlog-dev libcli11-dev libcurl4-openssl-dev libssl-dev libgtest-dev
  mariadb-server mariadb-client postgresql postgresql-client sqlite3
  # Named time zones (e.g. Europe/Berlin) are loaded into the test MariaDB.
  tzdata
)

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

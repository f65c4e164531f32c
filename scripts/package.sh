#!/usr/bin/env bash
# Builds the Debian package migrate_<version>_<arch>.deb: a Release build with Debian's hardening
# flags (dpkg-buildflags) in a build tree of its own laid out for Debian (prefix /usr, /etc,
# /lib/systemd/system), then cpack -G DEB, then lintian when it is installed.
#
#   scripts/package.sh [-B BUILD_DIR] [-o OUT_DIR] [--no-lintian]
#
# BUILD_DIR defaults to build-deb, OUT_DIR to BUILD_DIR. Prints the path of the .deb on the last
# line of standard output. Needs dpkg-dev (dpkg-shlibdeps) and pandoc; scripts/install-deps.sh
# installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-deb
out_dir=
lintian=1
while (($#)); do
  case $1 in
    -B) build_dir=${2:?-B needs a directory}; shift 2 ;;
    -o) out_dir=${2:?-o needs a directory}; shift 2 ;;
    --no-lintian) lintian=0; shift ;;
    *)
      echo "usage: $0 [-B BUILD_DIR] [-o OUT_DIR] [--no-lintian]" >&2
      exit 2
      ;;
  esac
done
out_dir=${out_dir:-$build_dir}

for tool in cmake cpack dpkg-shlibdeps dpkg-buildflags pandoc; do
  command -v "$tool" >/dev/null || {
    echo "package.sh: $tool not found (run scripts/install-deps.sh)" >&2
    exit 1
  }
done

# Debian's hardening: -fstack-protector-strong, _FORTIFY_SOURCE, RELRO and BIND_NOW.
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
CXXFLAGS="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
LDFLAGS=$(dpkg-buildflags --get LDFLAGS)
export CXXFLAGS LDFLAGS

# Only what the package ships: the binary and its documentation, no tests, no benchmark.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DMIGRATE_BUILD_TESTS=OFF -DMIGRATE_BUILD_BENCH=OFF \
  -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_SYSCONFDIR=/etc \
  -DMIGRATE_SYSTEMD_UNIT_DIR=/lib/systemd/system >/dev/null
cmake --build "$build_dir" -j "${MIGRATE_BUILD_JOBS:-2}"

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
rm -f "$out_dir"/migrate_*.deb
(cd "$build_dir" && cpack -G DEB -B "$out_dir" >/dev/null)
rm -rf "$out_dir/_CPack_Packages"
deb=$(ls "$out_dir"/migrate_*.deb)

if ((lintian)); then
  if command -v lintian >/dev/null; then
    # Errors fail the build; warnings are shown.
    lintian --fail-on error --display-info "$deb" >&2
  else
    echo "package.sh: lintian not installed; the package was not checked" >&2
  fi
fi
echo "$deb"

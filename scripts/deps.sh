#!/bin/sh
# Installs what building and testing interleave needs on Debian 12
# (bookworm): the build, the tests, the real-program corpus
# (bench/real.sh), and the SARIF validator the tests use (into build/tools).
# Idempotent; uses sudo when not root.
set -e
cd "$(dirname "$0")/.."
PKGS="build-essential clang libclang-rt-14-dev libdw-dev libelf-dev libcmocka-dev libsqlite3-dev libjemalloc-dev libglib2.0-dev libuv1-dev libboost-dev pkg-config gdb python3 procps libcjson-dev python3-junitparser libicu72"
# make install's checks (tests/run.sh): the man page, the CMake module.
PKGS="$PKGS man-db cmake"
# --html's check (tests/run.sh html): the page loads in headless Chromium.
PKGS="$PKGS chromium"
# interleave gtest's test binary (tests/gtest).
PKGS="$PKGS libgtest-dev"
# omp_spawn_ok's child (tests/programs/futex_child_helper) links zlib.
PKGS="$PKGS zlib1g-dev"
# bench/sct.sh: SCTBench's Splash2 programs are m4 macro sources.
PKGS="$PKGS m4"
# The real-program corpus (bench/real.sh, run by make check).
PKGS="$PKGS pigz xz-utils zstd pbzip2 lbzip2 coreutils memcached redis-server libglib2.0-tests git perl ripgrep 7zip"
# npm: Debian's, unless a Node.js that brings its own is installed.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  # memcached's and redis' packages would start their daemons: a policy
  # that refuses every start, for the length of this install only, and only
  # if the machine has none of its own (bench/real.sh runs its own copies).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
# Microsoft's SARIF multitool (a self-contained .NET program, from npm;
# it needs libicu): tests/run.sh validates the --sarif output with it.
SARIF_TOOL=@microsoft/sarif-multitool@5.7.0
if ! build/tools/node_modules/.bin/sarif-multitool --version >/dev/null 2>&1; then
  mkdir -p build/tools
  npm install --prefix build/tools --no-audit --no-fund --loglevel=error "$SARIF_TOOL" >/dev/null
  build/tools/node_modules/.bin/sarif-multitool --version >/dev/null 2>&1 ||
    { echo "scripts/deps.sh: build/tools/node_modules/.bin/sarif-multitool does not run" >&2; exit 1; }
fi

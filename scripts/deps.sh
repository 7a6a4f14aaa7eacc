#!/bin/sh
# Installs what building and testing interleave needs on Debian 12
# (bookworm).  Idempotent; uses sudo when not root.
set -e
PKGS="build-essential clang libclang-rt-14-dev libdw-dev libelf-dev libcmocka-dev libsqlite3-dev libjemalloc-dev libglib2.0-dev libuv1-dev libboost-dev pkg-config gdb python3 procps"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null

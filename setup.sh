#!/bin/sh
# Install the Debian 12 packages needed to build and test teardown-audit.
# Idempotent: prints nothing and changes nothing when all are present.
set -eu

PACKAGES="make autoconf automake pkg-config gcc g++ clang
libunwind-dev libelf-dev libdw-dev libc6-dbg binutils libcunit1-dev libcapstone-dev libclass-loader-dev
python3 python3-jsonschema gdb strace procps coreutils
libclang-rt-14-dev llvm-14 valgrind debootstrap btrfs-progs groff-base util-linux
libjemalloc2"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
# The browser that tests/html.test opens the HTML report in, last.
[ -z "$missing" ] && exec "$(dirname "$0")/tests/setup-browser.sh"

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "setup.sh: missing packages:$missing; run this script as root to install them" >&2
		exit 1
	fi
else
	SUDO=
fi

echo "setup.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
"$(dirname "$0")/tests/setup-browser.sh"

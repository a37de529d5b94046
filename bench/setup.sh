#!/bin/sh
# Install what the benchmark needs beyond the build's own set-up (the top
# setup.sh): Debian's python3-scipy for the scipy import (s), and strace
# and gdb to compare with.  Run by run.sh before anything else.
#
# Quiet, and a no-op when everything is installed.  When something is
# missing and cannot be installed (not root and no password-less sudo, no
# apt-get, or apt-get failed), exits 1 with the reason as the last line on
# stderr: run.sh then shows n/a, with that reason, where it is needed.
set -u

PACKAGES="python3-scipy strace gdb"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "bench/setup.sh: cannot install$missing: no apt-get on this system" >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	# -n: a benchmark must not stop to ask for a password.
	SUDO="sudo -n"
else
	echo "bench/setup.sh: cannot install$missing: not root, and no sudo without a password" >&2
	exit 1
fi

echo "bench/setup.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp "${TMPDIR:-/tmp}/bench-setup.XXXXXX") || exit 1
trap 'rm -f "$log"' 0
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >"$log" 2>&1; then
	# The package lists may be missing (a fresh container) or stale.
	# shellcheck disable=SC2086
	if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing; } \
		>>"$log" 2>&1; then
		tail -n 5 "$log" | sed 's/^/    /' >&2
		echo "bench/setup.sh: apt-get install$missing failed (its last lines above)" >&2
		exit 1
	fi
fi
exit 0

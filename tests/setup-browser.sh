#!/bin/sh
# Install Debian's chromium, which html.test opens the HTML report in
# (headless).  Idempotent: prints nothing and changes nothing when it is
# there.  Exits 1 with a message when it is missing and cannot be installed.
set -eu

command -v chromium >/dev/null 2>&1 && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "setup-browser.sh: chromium is missing; run this script as root to install it" >&2
		exit 1
	fi
else
	SUDO=
fi

echo "setup-browser.sh: installing chromium" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null 2>&1 || {
	echo "setup-browser.sh: chromium was installed but is not on PATH" >&2
	exit 1
}

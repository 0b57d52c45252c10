#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bootstrap.sh - the README's first command: packages, build, and the main job
#
# As root: installs the Debian packages the build and the tests need (and a
# deb-src entry, since the static dependencies are built from Debian source
# packages). As a normal user: if something is missing, prints the exact
# apt-get line to run as root and stops. Then builds ./sandbox (static, musl)
# and runs the main job: a command in a sandbox on the built-in `host` image.
set -eu

cd "$(dirname "$0")/.."

# build (deps/apt-packages.txt) + tests + a few tools the demo and tests use
pkgs="$(sed 's/#.*//' deps/apt-packages.txt | tr '\n' ' ') libcmocka-dev libseccomp-dev libjansson-dev libcap-dev clang uidmap busybox-static bubblewrap bsdutils bsdextrautils procps tmux"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

srclist=/etc/apt/sources.list.d/sandbox-deb-src.sources
have_src() {
	grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ || grep -qs '^deb-src' /etc/apt/sources.list
}

if [ "$(id -u)" -eq 0 ]; then
	if ! have_src; then
		# the same archive and keyring as the system's own entry
		cat >"$srclist" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
		missing="$missing (deb-src)"
	fi
	if [ -n "$missing" ]; then
		echo "bootstrap: installing:$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs
	fi
else
	if [ -n "$missing" ] || ! have_src; then
		echo "bootstrap: missing packages:$missing" >&2
		have_src || echo "bootstrap: and no deb-src entry (the static dependencies are built from Debian source packages): run this script as root once, or add one" >&2
		echo "bootstrap: run as root:" >&2
		echo "  apt-get update && apt-get install -y --no-install-recommends $pkgs" >&2
		exit 1
	fi
fi

make -j"$(nproc)"
echo
echo "bootstrap: the main job: a shell command in a sandbox on the host image"
echo "  ./sandbox run --rm --network none host sh -c '...'"
./sandbox run --rm --network none host sh -c '
	echo "inside: $(id)"
	echo "pid of this shell: $$, hostname: $(hostname)"
	echo "uid map:"; cat /proc/self/uid_map
	if touch /usr/sandbox-demo 2>/dev/null; then echo "wrote /usr/sandbox-demo (private layer only)"; fi
	grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
test ! -e /usr/sandbox-demo && echo "host: /usr/sandbox-demo does not exist: the host was not touched"

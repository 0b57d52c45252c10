#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# bootstrap.sh - the README's first command: packages, build, and the main job
#
# Usage: deps/bootstrap.sh [--tests]
#
# As root: installs the Debian packages of deps/packages-build.txt (with
# --tests, of deps/packages-test.txt too, for `make check`). As a normal user:
# if one is missing, prints the exact apt-get line to run as root and stops.
# Then builds ./sandbox (static, musl; deps/build.sh fetches the Debian source
# packages through a private apt state when the system has no deb-src entry)
# and runs the main job: a command in a sandbox on the built-in `host` image.
set -eu

cd "$(dirname "$0")/.."

lists=deps/packages-build.txt
case "${1:-}" in
--tests) lists="$lists deps/packages-test.txt" ;;
"") ;;
*)
	echo "usage: deps/bootstrap.sh [--tests]" >&2
	exit 2
	;;
esac

# one line, in list order, each name once
# shellcheck disable=SC2086 # $lists is a list of file names
pkgs=$(sed 's/#.*//' $lists | tr -s ' \t' '\n' | awk 'NF && !seen[$0]++' | tr '\n' ' ')
pkgs=${pkgs% }

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "bootstrap: missing packages:$missing" >&2
		echo "bootstrap: run as root:" >&2
		echo "  apt-get update && apt-get install -y --no-install-recommends $pkgs" >&2
		exit 1
	fi
	echo "bootstrap: installing:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086 # one word a package
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs
fi

make -j"$(nproc)"
echo
echo "bootstrap: the main job: a shell command in a sandbox on the host image"
echo "  ./sandbox run --rm --network none host sh -c '...'"
# shellcheck disable=SC2016 # expanded inside the sandbox
./sandbox run --rm --network none host sh -c '
	echo "inside: $(id)"
	echo "pid of this shell: $$, hostname: $(hostname)"
	echo "uid map:"; cat /proc/self/uid_map
	if touch /usr/sandbox-demo 2>/dev/null; then echo "wrote /usr/sandbox-demo (private layer only)"; fi
	grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status'
test ! -e /usr/sandbox-demo && echo "host: /usr/sandbox-demo does not exist: the host was not touched"

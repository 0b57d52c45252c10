#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh - build the static test helper sbx-probe
#
# Usage: tests/helpers/build.sh [OUTPUT]   (default: tests/helpers/sbx-probe)
# The Makefile rule for tests/helpers/sbx-probe runs the same command:
#   musl-gcc -static -Os -s -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o OUT sbx-probe.c
# A fresh OUTPUT (newer than the source) is kept as is; a Makefile-built
# tests/helpers/sbx-probe that is fresh is copied instead of compiling again.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$here/sbx-probe.c"
out=${1:-"$here/sbx-probe"}
flags=(-static -Os -s -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror)

if [ -x "$out" ] && [ "$out" -nt "$src" ]; then
	exit 0
fi
if [ "$out" != "$here/sbx-probe" ] && [ -x "$here/sbx-probe" ] && [ "$here/sbx-probe" -nt "$src" ]; then
	cp "$here/sbx-probe" "$out" && exit 0
fi

if command -v musl-gcc >/dev/null 2>&1; then
	cc=musl-gcc
else
	# glibc's static libc works for this helper too; musl is what the project ships with.
	echo "build.sh: musl-gcc not found (apt-get install musl-tools); using ${CC:-cc} -static" >&2
	cc=${CC:-cc}
fi

tmp="$out.tmp.$$"
if ! "$cc" "${flags[@]}" -o "$tmp" "$src"; then
	rm -f "$tmp"
	echo "build.sh: compiling $src failed" >&2
	exit 1
fi
mv -f "$tmp" "$out"

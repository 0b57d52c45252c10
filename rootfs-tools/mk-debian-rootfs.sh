#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mk-debian-rootfs.sh - a real Debian root filesystem tarball, made with debootstrap
#
# Usage: rootfs-tools/mk-debian-rootfs.sh OUT.tar.gz [SUITE]
#
# As root: `debootstrap --variant=minbase SUITE` (default bookworm) into a temporary
# directory, from the first mirror of this machine's apt sources (the first `URIs:` of
# /etc/apt/sources.list.d/debian.sources, else the first `deb` line of
# /etc/apt/sources.list, else http://deb.debian.org/debian). The tree is written as a
# gzip tarball of `.` with numeric owners and the permissions as they are (setuid
# included); as in Debian's official images, the contents of /dev (device nodes), the
# downloaded .debs and apt's package lists and caches are left out (`apt-get update`
# brings the lists back). It is written to OUT.tar.gz.tmp and renamed, so OUT.tar.gz is always whole.
# The temporary directory is removed. Downloads the packages of SUITE (~100 MB of
# work, about a minute or two); tests/run.sh caches the result (SBX_DEBIAN_TAR).
set -euo pipefail

usage() {
	echo "usage: $0 OUT.tar.gz [SUITE]" >&2
	exit 2
}
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then usage; fi
case $1 in -*) usage ;; esac
out=$1
suite=${2:-bookworm}

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: must run as root (debootstrap needs it)" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "$0: debootstrap is not installed (apt-get install debootstrap)" >&2
	exit 1
fi

# mirror: the first URI of this machine's apt sources, else deb.debian.org
mirror=
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
	mirror=$(sed -n -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' /etc/apt/sources.list | head -n 1)
fi
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "${TMPDIR:-/tmp}/mk-debian-rootfs.XXXXXX")
trap 'rm -rf -- "$work" "$out.tmp"' EXIT
chmod 755 "$work"

if ! debootstrap --variant=minbase "$suite" "$work/root" "$mirror" >"$work/debootstrap.log" 2>&1; then
	tail -n 20 "$work/debootstrap.log" >&2
	echo "$0: debootstrap --variant=minbase $suite from $mirror failed" >&2
	exit 1
fi

# what `apt-get clean` and Debian's image builds drop
rm -f -- "$work/root"/var/cache/apt/archives/*.deb "$work/root"/var/cache/apt/*.bin
find "$work/root/var/lib/apt/lists" -maxdepth 1 -type f -delete

tar --numeric-owner --xattrs --xattrs-include='*' -C "$work/root" --exclude='./dev/*' \
	-czf "$out.tmp" .
mv -f "$out.tmp" "$out"

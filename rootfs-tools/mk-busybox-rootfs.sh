#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mk-busybox-rootfs.sh - make a small busybox root filesystem for tests and benchmarks
#
# Usage: rootfs-tools/mk-busybox-rootfs.sh [--force] [--from-package] [--probe FILE] DEST
#
# The busybox is Debian's busybox-static: /bin/busybox when it is that package's
# static binary, otherwise the package is fetched with `apt-get download` (no root
# needed) and unpacked with `dpkg-deb -x` (--from-package: always so). Nothing
# else is downloaded.
# DEST gets the applet symlinks where `busybox --list-full` puts them, /etc/passwd
# and /etc/group with a user `tester` (1000:1000, also in group `extra` 2000) and
# `nobody`, /tmp (1777), /home/tester, empty /proc /sys /dev /run, and the test
# helper sbx-probe as /bin/sbx-probe (--probe FILE, else tests/helpers/sbx-probe
# built by tests/helpers/build.sh). /etc/hostname, /etc/hosts and /etc/resolv.conf
# are left to the sandbox. Files belong to the caller, who is root inside a sandbox.
#
# Idempotent: when DEST was made by this script from the same inputs it is kept
# as is (fast); --force makes it anew. A DEST that this script did not make is
# never deleted.
set -euo pipefail

STAMP_NAME=etc/sbx-rootfs.stamp
FORMAT=1

usage() {
	echo "usage: $0 [--force] [--from-package] [--probe FILE] DEST" >&2
	exit 2
}

force=0
from_package=0
probe=
dest=
while [ "$#" -gt 0 ]; do
	case $1 in
	--force) force=1 ;;
	--from-package) from_package=1 ;;
	--probe)
		[ "$#" -ge 2 ] || usage
		probe=$2
		shift
		;;
	--probe=*) probe=${1#--probe=} ;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[ -z "$dest" ] || usage
		dest=$1
		;;
	esac
	shift
done
[ -n "$dest" ] || usage
case $dest in
/ | "") echo "$0: refusing to use '$dest'" >&2 && exit 2 ;;
esac
dest=${dest%/}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src_dir=$(cd "$here/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mk-busybox-rootfs.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# --- find Debian's static busybox ------------------------------------------
is_static_elf() {
	# A dynamic ELF names its interpreter (PT_INTERP) as /lib*/ld-*.
	[ -f "$1" ] && head -c 4 "$1" | grep -q 'ELF' && ! grep -qa -m1 -E '/lib(64)?/ld-(linux|musl)' "$1"
}

busybox=
if [ "$from_package" = 0 ] && dpkg-query -S /bin/busybox 2>/dev/null | grep -q '^busybox-static:' &&
	is_static_elf /bin/busybox; then
	busybox=/bin/busybox
else
	[ "$from_package" = 1 ] || echo "$0: /bin/busybox is not Debian's busybox-static; fetching the package" >&2
	(cd "$work" && apt-get download busybox-static >&2) || {
		echo "$0: cannot get busybox-static (apt-get install busybox-static, or apt-get update first)" >&2
		exit 1
	}
	dpkg-deb -x "$work"/busybox-static_*.deb "$work/pkg"
	busybox=$work/pkg/bin/busybox
	is_static_elf "$busybox" || {
		echo "$0: $busybox from busybox-static is not a static binary" >&2
		exit 1
	}
fi

# --- the probe ----------------------------------------------------------------
if [ -z "$probe" ]; then
	if [ -x "$src_dir/tests/helpers/build.sh" ] || [ -f "$src_dir/tests/helpers/build.sh" ]; then
		bash "$src_dir/tests/helpers/build.sh" "$work/sbx-probe"
		probe=$work/sbx-probe
	fi
fi
if [ -n "$probe" ] && [ ! -x "$probe" ]; then
	echo "$0: probe $probe is not an executable file" >&2
	exit 1
fi

# --- up to date? ------------------------------------------------------------
sum() {
	if [ -n "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; else echo none; fi
}
stamp="format=$FORMAT busybox=$(sum "$busybox") probe=$(sum "$probe") uid=$(id -u) gid=$(id -g)"

if [ -e "$dest" ]; then
	if [ "$force" = 0 ] && [ "$(cat "$dest/$STAMP_NAME" 2>/dev/null)" = "$stamp" ]; then
		exit 0
	fi
	if [ ! -f "$dest/$STAMP_NAME" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then
		echo "$0: $dest exists and was not made by this script; not touching it" >&2
		exit 1
	fi
fi

# --- build into a temporary sibling, then swap it in -------------------------
parent=$(dirname "$dest")
mkdir -p "$parent"
new=$(mktemp -d "$parent/.rootfs-new.XXXXXX")
trap 'rm -rf -- "$work" "$new"' EXIT
chmod 755 "$new"

mkdir -p "$new"/{bin,sbin,usr/bin,usr/sbin,etc,root,home/tester,tmp,var/tmp,proc,sys,dev,run,mnt}
chmod 1777 "$new/tmp" "$new/var/tmp"
chmod 700 "$new/root"

cp "$busybox" "$new/bin/busybox"
chmod 755 "$new/bin/busybox"
# One process for the ~270 links (perl-base is Essential on Debian); a shell loop otherwise.
"$busybox" --list-full | grep -E '^[A-Za-z0-9_./+[-]+$' | grep -v -e '\.\.' -e '^bin/busybox$' >"$work/applets"
grep / "$work/applets" | sed 's,/[^/]*$,,' | sort -u | while IFS= read -r dir; do
	mkdir -p "$new/$dir"
done
if command -v perl >/dev/null 2>&1; then
	perl -e 'my $root = shift; while (my $a = <STDIN>) { chomp $a; my $l = "$root/$a";
		next if -e $l || -l $l; symlink("/bin/busybox", $l) or die "symlink $l: $!\n"; }' \
		"$new" <"$work/applets"
else
	while IFS= read -r applet; do
		[ -e "$new/$applet" ] || ln -s /bin/busybox "$new/$applet"
	done <"$work/applets"
fi
[ -e "$new/bin/sh" ] || ln -s /bin/busybox "$new/bin/sh"

if [ -n "$probe" ]; then
	cp "$probe" "$new/bin/sbx-probe"
	chmod 755 "$new/bin/sbx-probe"
fi

cat >"$new/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:tester:/home/tester:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$new/etc/group" <<'EOF'
root:x:0:
tty:x:5:
tester:x:1000:
extra:x:2000:tester
nogroup:x:65534:
EOF
chmod 644 "$new/etc/passwd" "$new/etc/group"
printf '%s\n' "$stamp" >"$new/$STAMP_NAME"

old=
if [ -e "$dest" ]; then
	old=$(mktemp -d "$parent/.rootfs-old.XXXXXX")
	mv -- "$dest" "$old/rootfs"
fi
mv -- "$new" "$dest"
trap 'rm -rf -- "$work"' EXIT
[ -z "$old" ] || rm -rf -- "$old"

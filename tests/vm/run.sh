#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - the VM suite: cgroup v2 delegation and core rootless runs on Debian's 6.1 kernel in QEMU
#
# Usage: tests/vm/run.sh [--keep]
#
# This host's own cgroups are hybrid (cpu/memory/pids on cgroup v1) and must not be
# touched, so the limits are tested in a VM: QEMU with TCG boots Debian's own
# linux-image-6.1.0-*-amd64 (the package linux-image-amd64 depends on; fetched with
# `apt-get download`, unpacked with `dpkg-deb -x`, never installed) with an
# initramfs made here: busybox-static, tests/vm/init as /init (a pure cgroup v2 tree
# with a systemd-style delegated user.slice/user-1000.slice/user@1000.service), the
# static ./sandbox, the busybox test rootfs (rootfs-tools/mk-busybox-rootfs.sh, with
# sbx-probe; /image owned by uid 1000, /image-root by root) and tests/vm/guest.sh, whose
# cases run as uid 1000.
# Facts behind the choices: shared notes vm-harness.md (uncompressed vmlinux via the
# PVH entry boots in ~2 s; -M microvm hangs now and then).
#
# Cache: the kernel package and what is unpacked from it go to the first writable of
# $SBX_VM_CACHE, build/vm/ of this checkout, ${XDG_CACHE_HOME:-~/.cache}/sandbox-vm,
# /tmp/sandbox-vm-$UID. Nothing of the host is changed.
# Output: TAP lines from the guest, then `N passed, N failed, N skipped` (tests/run.sh
# adds it to its counts). Everything that cannot run here is ONE skip with the reason.
# Environment: SANDBOX (binary; must be the static one), SBX_VM_TIMEOUT (seconds for
# the whole boot, default 300), SBX_VM_KERNEL_PKG (override the package name).
# shellcheck disable=SC2012 # ls of names made here (package files, one kernel version)
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
keep=0
[ "${1:-}" = --keep ] && keep=1

skip() {
	echo "# skip: tests/vm: $*"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
}
fail() {
	echo "not ok - tests/vm: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

start=$SECONDS
sandbox=${SANDBOX:-$src/sandbox}
[ -x "$sandbox" ] || skip "no sandbox binary at $sandbox (run make)"
# The initramfs has no libc: only the static product binary runs there.
if ! head -c 4 "$sandbox" | grep -q ELF || grep -qa -m1 -E '/lib(64)?/ld-(linux|musl)' "$sandbox"; then
	skip "$sandbox is not a static binary (e.g. the ASan build); the VM suite runs the static ./sandbox only"
fi
for c in qemu-system-x86_64 cpio dpkg-deb apt-get apt-cache xz timeout; do
	command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (apt-get install qemu-system-x86 cpio xz-utils)"
done
[ "$(uname -m)" = x86_64 ] || skip "the VM suite boots an amd64 kernel; this is $(uname -m)"

# --- the cache -----------------------------------------------------------------
cache=
for d in ${SBX_VM_CACHE:+"$SBX_VM_CACHE"} "$src/build/vm" "${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/sandbox-vm" \
	"/tmp/sandbox-vm-$(id -u)"; do
	if mkdir -p "$d" 2>/dev/null && [ -w "$d" ]; then
		cache=$d
		break
	fi
done
[ -n "$cache" ] || skip "no writable cache directory for the kernel"

# --- the kernel: Debian's, never installed -------------------------------------
pkg=${SBX_VM_KERNEL_PKG:-$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n -E 's/^ *Depends: (linux-image-[0-9][^ ]*-amd64)$/\1/p' | head -n 1)}
[ -n "$pkg" ] || skip "apt-cache does not know linux-image-amd64 (not Debian, or no apt-get update)"
kdir=$cache/$pkg
CACHE_FORMAT=2 # bump when what is unpacked changes
if [ "$(cat "$kdir/.done" 2>/dev/null)" != "$CACHE_FORMAT" ]; then
	deb=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		echo "# fetching $pkg with apt-get download into $cache (once)"
		(cd "$cache" && timeout 600 apt-get download "$pkg" >/dev/null 2>"$cache/apt.log") ||
			skip "apt-get download $pkg failed: $(tail -n 1 "$cache/apt.log" 2>/dev/null)"
		deb=$(ls "$cache/${pkg}"_*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || skip "apt-get download $pkg left no .deb"
	fi
	rm -rf "$kdir" "$kdir.tmp"
	mkdir -p "$kdir.tmp"
	dpkg-deb -x "$deb" "$kdir.tmp/pkg" || fail "dpkg-deb -x $deb failed"
	kver=$(ls "$kdir.tmp/pkg/lib/modules" | head -n 1)
	cp "$kdir.tmp/pkg/boot/vmlinuz-$kver" "$kdir.tmp/vmlinuz"
	# the modules the suite loads (no modules.dep in the package: loaded in order by /init)
	mkdir -p "$kdir.tmp/modules"
	m=fs/overlayfs/overlay.ko
	cp "$kdir.tmp/pkg/lib/modules/$kver/kernel/$m" "$kdir.tmp/modules/" || fail "no $m in $pkg"
	echo "$kver" >"$kdir.tmp/version"
	# The uncompressed ELF boots faster (PVH entry): the xz stream inside the bzImage.
	off=$(LC_ALL=C grep -obUaP '\xfd\x37\x7a\x58\x5a\x00' "$kdir.tmp/vmlinuz" 2>/dev/null | head -n 1 | cut -d: -f1)
	if [ -n "$off" ] && tail -c +"$((off + 1))" "$kdir.tmp/vmlinuz" | xz -dc --single-stream >"$kdir.tmp/vmlinux" 2>/dev/null &&
		head -c 4 "$kdir.tmp/vmlinux" | grep -q ELF; then
		:
	else
		rm -f "$kdir.tmp/vmlinux"
	fi
	rm -rf "$kdir.tmp/pkg"
	echo "$CACHE_FORMAT" >"$kdir.tmp/.done"
	mv "$kdir.tmp" "$kdir"
fi
kver=$(cat "$kdir/version")
kernel=$kdir/vmlinuz
[ -f "$kdir/vmlinux" ] && kernel=$kdir/vmlinux

# --- the initramfs ---------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/sbx-vm.XXXXXX") || fail "mktemp"
cleanup() {
	if [ "$keep" = 1 ]; then echo "# kept $work"; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

probe=$work/sbx-probe
bash "$src/tests/helpers/build.sh" "$probe" >&2 || fail "building sbx-probe failed"
bash "$src/rootfs-tools/mk-busybox-rootfs.sh" --probe "$probe" "$work/rootfs" >&2 ||
	fail "rootfs-tools/mk-busybox-rootfs.sh failed"
# the guest's own root is a copy of the busybox rootfs, with the test image inside it
ini=$work/initramfs
mkdir -p "$ini"
cp -a "$work/rootfs/." "$ini/"
cp -a "$work/rootfs" "$ini/image"
# left owned by root (cpio -R 0:0; init gives only /image to the user)
cp -a "$work/rootfs" "$ini/image-root"
rm -f "$ini/etc/sbx-rootfs.stamp"
mkdir -p "$ini/tests" "$ini/modules" "$ini/sys/fs/cgroup"
cp "$sandbox" "$ini/bin/sandbox"
cp "$here/init" "$ini/init"
cp "$here/guest.sh" "$ini/tests/guest.sh"
cp "$kdir"/modules/*.ko "$ini/modules/"
chmod 755 "$ini/init" "$ini/bin/sandbox"
(cd "$ini" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet >"$work/initrd.cpio") ||
	fail "cpio failed"

# --- boot ------------------------------------------------------------------------
log=$work/console.log
echo "# booting Debian's kernel $kver ($(basename "$kernel")) in QEMU TCG"
timeout -k 5 "${SBX_VM_TIMEOUT:-300}" qemu-system-x86_64 -M pc -accel tcg,thread=multi -cpu max -m 1024 -smp 2 \
	-nographic -no-reboot -nodefaults -serial stdio -display none \
	-kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 oops=panic rdinit=/init" \
	</dev/null >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" >"$log.txt"

passed=$(grep -c '^ok ' "$log.txt")
skipped=$(grep -c '^ok .* # SKIP' "$log.txt")
failed=$(grep -c '^not ok ' "$log.txt")
passed=$((passed - skipped))
grep -E '^(ok |not ok |# )' "$log.txt"
if ! grep -q '^VM-SUITE-DONE$' "$log.txt"; then
	echo "not ok - the VM did not finish the suite (qemu exit status $rc; timeout ${SBX_VM_TIMEOUT:-300}s); console:"
	tail -n 40 "$log.txt" | sed 's/^/#   /'
	failed=$((failed + 1))
fi
echo "# VM suite: kernel $kver, $((SECONDS - start)) s wall time"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
